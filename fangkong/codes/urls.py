from .views import checkins, checkpoints, healthcodes, venues

urlpatterns = venues.urlpatterns + checkins.urlpatterns + healthcodes.urlpatterns + checkpoints.urlpatterns
