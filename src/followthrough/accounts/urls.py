"""The signed-in user's own account: password, e-mail address, two-factor sign-in."""

urlpatterns: list = []
