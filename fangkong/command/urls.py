from fangkong.command.views import urlpatterns  # noqa: F401
