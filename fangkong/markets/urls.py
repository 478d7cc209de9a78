from fangkong.markets.views import urlpatterns  # noqa: F401
