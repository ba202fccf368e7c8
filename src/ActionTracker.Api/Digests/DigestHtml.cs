using System.Globalization;
using System.Net;
using System.Text;

namespace ActionTracker.Api.Digests;

/// <summary>A readable, self-contained HTML page of a digest: no scripts, no external resources.</summary>
public static class DigestHtml
{
    public static string Render(Digest digest)
    {
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Weekly digest {{E(digest.Week)}}</title>
            <style>
              body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; background: #f6f8fa; margin: 0; }
              main { max-width: 880px; margin: 0 auto; padding: 28px 20px 48px; }
              h1 { font-size: 24px; margin: 0 0 4px; } .sub { color: #59636e; margin: 0 0 24px; }
              section.team { background: #fff; border: 1px solid #d1d9e0; border-radius: 10px; padding: 18px 20px; margin-bottom: 18px; }
              h2 { font-size: 18px; margin: 0 0 10px; display: flex; align-items: center; gap: 10px; }
              .badge { font-size: 12px; font-weight: 600; border-radius: 999px; padding: 2px 10px; }
              .clear { background: #dafbe1; color: #116329; } .late { background: #ffebe9; color: #a40e26; }
              .numbers { display: flex; gap: 12px; flex-wrap: wrap; margin: 6px 0 12px; }
              .numbers div { background: #f6f8fa; border-radius: 8px; padding: 8px 12px; min-width: 120px; }
              .numbers b { display: block; font-size: 20px; } .numbers span { color: #59636e; font-size: 12px; }
              h3 { font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: #59636e; margin: 16px 0 6px; }
              table { width: 100%; border-collapse: collapse; font-size: 14px; }
              td, th { text-align: left; padding: 6px 8px; border-top: 1px solid #eaeef2; vertical-align: top; }
              th { color: #59636e; font-weight: 600; border-top: 0; font-size: 12px; }
              .lvl { font-weight: 600; } .lvl3 { color: #a40e26; } .lvl2 { color: #9a6700; }
              .none { color: #59636e; font-style: italic; }
            </style></head><body><main>
            <h1>Weekly digest · {{E(digest.Week)}}</h1>
            <p class="sub">Generated {{digest.GeneratedAt:yyyy-MM-dd HH:mm}} UTC · {{digest.Teams.Count}} team(s)</p>
            """);
        foreach (var team in digest.Teams)
        {
            html.Append(CultureInfo.InvariantCulture, $"""
                <section class="team"><h2>{E(team.Team)} <span class="badge {(team.AllClear ? "clear\">All clear" : $"late\">{team.Overdue.Count} overdue")}</span></h2>
                <div class="numbers">
                  <div><b>{team.Trend.OverdueNow}</b><span>overdue now</span></div>
                  <div><b>{team.Trend.OverdueLastWeek}</b><span>overdue a week ago</span></div>
                  <div><b>{team.DueThisWeek.Count}</b><span>due this week</span></div>
                  <div><b>{team.CompletedLastWeek.Count}</b><span>completed last week</span></div>
                  <div><b>{team.PostponedLastWeek.Count}</b><span>postponed last week</span></div>
                </div>
                """);
            Table(html, "Overdue", team.Overdue, showLevel: true);
            Table(html, "Due this week", team.DueThisWeek, showLevel: false);
            Table(html, "Completed last week", team.CompletedLastWeek, showLevel: false);
            Table(html, "Postponed last week", team.PostponedLastWeek, showLevel: false);
            html.Append("</section>\n");
        }
        html.Append("</main></body></html>\n");
        return html.ToString();
    }

    private static void Table(StringBuilder html, string title, IReadOnlyList<DigestItem> items, bool showLevel)
    {
        // An empty list says nothing worth a heading, except that nothing is overdue.
        if (items.Count == 0 && !showLevel)
            return;
        html.Append(CultureInfo.InvariantCulture, $"<h3>{E(title)}</h3>");
        if (items.Count == 0)
        {
            html.Append("<p class=\"none\">Nothing is overdue.</p>\n");
            return;
        }
        html.Append("<table><tr><th>Action item</th><th>Owner</th><th>Priority</th><th>Due</th>");
        html.Append(showLevel ? "<th>Level</th></tr>\n" : "<th>Status</th></tr>\n");
        foreach (var i in items)
        {
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td>{E(i.Title)}</td><td>{E(i.Owner)}</td><td>{E(i.Priority)}</td><td>{i.DueAt:yyyy-MM-dd}</td>");
            html.Append(showLevel
                ? string.Create(CultureInfo.InvariantCulture, $"<td class=\"lvl lvl{i.EscalationLevel}\">{i.EscalationLevel}</td></tr>\n")
                : $"<td>{E(i.Status.Replace('_', ' '))}</td></tr>\n");
        }
        html.Append("</table>\n");
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
