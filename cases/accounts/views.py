from django.contrib.auth import login
from django.shortcuts import redirect, render

from cases.accounts.forms import ApplicantSignUpForm
from cases.accounts.signup import register_applicant


def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = ApplicantSignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = register_applicant(form=form)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("identity")  # nothing of the entity shows until the account is verified
    return render(request, "registration/signup.html", {"form": form})
