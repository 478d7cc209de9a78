from fangkong.vaccination.views import urlpatterns  # noqa: F401
