from fangkong.disinfection.views import urlpatterns  # noqa: F401
