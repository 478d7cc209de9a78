from .views import daily, dashboard, situation

urlpatterns = daily.urlpatterns + dashboard.urlpatterns + situation.urlpatterns
