from .views import followups, keypersons, policy, sites

urlpatterns = keypersons.urlpatterns + sites.urlpatterns + policy.urlpatterns + followups.urlpatterns
