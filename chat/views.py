from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def conversation_list(request):
    return render(request, "chat/conversation_list.html", {})
