using ActionTracker.Api.Infrastructure;

namespace ActionTracker.Api.Web;

/// <summary>A page address that leads nowhere (no route, or an item that does not exist) is the site's not-found page, still a 404.</summary>
public sealed class SiteNotFoundPage : INotFoundPage
{
    public bool Serves(PathString path) => WebPages.IsPageAddress(path);

    public Task Render(HttpContext http) => WebPages.NotFoundPage(http);
}
