"""Slovenian texts of the privacy app, applied to locale/sl/LC_MESSAGES/django.po with
`python privacy/locale/sl_privacy.py` after `makemessages` (kept as data so nothing is lost)."""

from pathlib import Path

SL = {
    "Prepare a download of the selected users' data": "Pripravi prenos podatkov izbranih uporabnikov",
    "Delete the selected accounts (after the grace period)": "Izbriši izbrane račune (po odlogu)",
    "Not allowed.": "Ni dovoljeno.",
    "download": "prenos",
    "Download": "Prenesi",
    "Cancel the selected deletions": "Prekliči izbrane izbrise",
    "Privacy": "Zasebnost",
    "Your password": "Vaše geslo",
    "Type your e-mail address to confirm": "Za potrditev vpišite svoj e-poštni naslov",
    "The password is not right.": "Geslo ni pravilno.",
    "That is not your e-mail address.": "To ni vaš e-poštni naslov.",
    "waiting": "čaka",
    "being prepared": "v pripravi",
    "ready": "pripravljeno",
    "failed": "ni uspelo",
    "user": "uporabnik",
    "requested by": "zahteval",
    "status": "stanje",
    "progress": "napredek",
    "size": "velikost",
    "requested": "zahtevano",
    "finished": "končano",
    "data export": "izvoz podatkov",
    "data exports": "izvozi podatkov",
    "erased after": "izbrisano po",
    "cancelled": "preklicano",
    "started": "začeto",
    "completed": "dokončano",
    "account deletion": "izbris računa",
    "account deletions": "izbrisi računov",
    "You are the workspace's only owner: make someone else an owner first.": "Ste edini lastnik delovnega prostora: najprej za lastnika določite nekoga drugega.",
    "An owner's account can only be deleted by that owner.": "Račun lastnika lahko izbriše le lastnik sam.",
    "The erasure has already started and can no longer be cancelled.": "Brisanje se je že začelo in ga ni več mogoče preklicati.",
    "Gathering your data… %(percent)s %%": "Zbiramo vaše podatke … %(percent)s %%",
    "Download my data": "Prenesi moje podatke",
    "prepared %(when)s": "pripravljeno %(when)s",
    "The link works for you only and expires after a while; prepare a new one when it has.": "Povezava deluje le za vas in čez čas poteče; nato pripravite novo.",
    "Your data is ready: reload the page for the download link.": "Vaši podatki so pripravljeni: za povezavo do prenosa znova naložite stran.",
    "Gathering your data failed. Please try again.": "Zbiranje vaših podatkov ni uspelo. Poskusite znova.",
    "Your data": "Vaši podatki",
    "Download everything Chorus keeps about you: your profile, conversations and messages, documents and their files, and your usage, as one zip file.": "Prenesite vse, kar Chorus hrani o vas: profil, pogovore in sporočila, dokumente z datotekami ter porabo, v eni datoteki zip.",
    "Prepare my data for download": "Pripravi moje podatke za prenos",
    "Delete my account": "Izbriši moj račun",
    "Your account will be deleted after %(when)s: your conversations, messages, documents and files are then erased, and your usage is kept without your name.": "Vaš račun bo izbrisan po %(when)s: takrat bodo izbrisani vaši pogovori, sporočila, dokumenti in datoteke, poraba pa ostane shranjena brez vašega imena.",
    "Keep my account": "Obdrži moj račun",
    "Cancel": "Prekliči",
    "This download link has expired": "Ta povezava za prenos je potekla",
    "Download links for your data work for a limited time. Prepare a new one on your preferences page.": "Povezave za prenos vaših podatkov delujejo omejen čas. Novo pripravite na strani z nastavitvami.",
    "Preferences": "Nastavitve",
    "Too many requests": "Preveč zahtev",
    "Your account will be deleted after %(when)s. You can cancel until then.": "Vaš račun bo izbrisan po %(when)s. Do takrat lahko izbris prekličete.",
    "The deletion of your account was cancelled.": "Izbris vašega računa je preklican.",
    "Your data is being gathered; the download link appears here when it is ready.": "Zbiramo vaše podatke; povezava za prenos se prikaže tukaj, ko bo pripravljena.",
}
# Plurals: Slovenian has four forms (1, 2, 3-4, other) and Django's %(count)d / {{ days }}.
SL_PLURAL = {
    "The data of %(count)d user is being gathered; the link appears under Privacy › Data exports.": [
        "Zbiramo podatke %(count)d uporabnika; povezava se prikaže pod Zasebnost › Izvozi podatkov.",
        "Zbiramo podatke %(count)d uporabnikov; povezavi se prikažeta pod Zasebnost › Izvozi podatkov.",
        "Zbiramo podatke %(count)d uporabnikov; povezave se prikažejo pod Zasebnost › Izvozi podatkov.",
        "Zbiramo podatke %(count)d uporabnikov; povezave se prikažejo pod Zasebnost › Izvozi podatkov.",
    ],
    "%(count)d account will be deleted after the grace period; cancel under Privacy › Account deletions.": [
        "%(count)d račun bo izbrisan po odlogu; prekličete ga pod Zasebnost › Izbrisi računov.",
        "%(count)d računa bosta izbrisana po odlogu; prekličete ju pod Zasebnost › Izbrisi računov.",
        "%(count)d računi bodo izbrisani po odlogu; prekličete jih pod Zasebnost › Izbrisi računov.",
        "%(count)d računov bo izbrisanih po odlogu; prekličete jih pod Zasebnost › Izbrisi računov.",
    ],
    "Your account is deleted %(days)s day after you ask; until then you can change your mind.": [
        "Vaš račun je izbrisan %(days)s dan po zahtevi; do takrat si lahko premislite.",
        "Vaš račun je izbrisan %(days)s dni po zahtevi; do takrat si lahko premislite.",
        "Vaš račun je izbrisan %(days)s dni po zahtevi; do takrat si lahko premislite.",
        "Vaš račun je izbrisan %(days)s dni po zahtevi; do takrat si lahko premislite.",
    ],
    "You have asked for your data too often. Please try again in %(seconds)s second.": [
        "Za svoje podatke ste vprašali prepogosto. Poskusite znova čez %(seconds)s sekundo.",
        "Za svoje podatke ste vprašali prepogosto. Poskusite znova čez %(seconds)s sekundi.",
        "Za svoje podatke ste vprašali prepogosto. Poskusite znova čez %(seconds)s sekunde.",
        "Za svoje podatke ste vprašali prepogosto. Poskusite znova čez %(seconds)s sekund.",
    ],
}

if __name__ == "__main__":
    import polib

    path = Path(__file__).parent / "sl/LC_MESSAGES/django.po"
    po = polib.pofile(str(path))
    missing = []
    for entry in po:
        if entry.msgid_plural and entry.msgid in SL_PLURAL:
            entry.msgstr_plural = dict(enumerate(SL_PLURAL[entry.msgid]))
        elif entry.msgid in SL:
            entry.msgstr = SL[entry.msgid]
        else:
            missing.append(entry.msgid)
            continue
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    po.metadata["Language"] = "sl"
    po.metadata["Plural-Forms"] = "nplurals=4; plural=(n%100==1 ? 0 : n%100==2 ? 1 : n%100==3 || n%100==4 ? 2 : 3);"
    po.save(str(path))
    print(f"{len(po) - len(missing)} translated, {len(missing)} missing")
    for m in missing:
        print("  missing:", m)
