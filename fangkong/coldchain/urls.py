from fangkong.coldchain.views import urlpatterns  # noqa: F401
