using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using ActionTracker.Api.Tests.Postmortems;
using ActionTracker.Testing;

namespace ActionTracker.Api.Tests;

/// <summary>A newcomer's first hour on the demo ops/run starts: the token it prints does what a lead does.</summary>
public sealed partial class RunningTheDemo(DemoFixture api) : IClassFixture<DemoFixture>
{
    [GeneratedRegex(@"ops/token (?<sub>\S+) (?<team>\S+) (?<role>\S+)\); then")]
    private static partial Regex PrintedToken();

    [Fact]
    public async Task the_token_ops_run_prints_leads_the_demo_team_and_may_edit_an_item_someone_else_owns()
    {
        var printed = PrintedToken().Match(await File.ReadAllTextAsync(OpsScripts.Path("run")));
        Assert.True(printed.Success, "ops/run prints a token made by ops/token");
        var (sub, team) = (printed.Groups["sub"].Value, printed.Groups["team"].Value);
        var newcomer = api.As(sub, [team], printed.Groups["role"].Value);
        var items = (await (await newcomer.GetAsync($"/api/action-items?team={team}&status=open&limit=200")).Body()).GetProperty("items");
        var someoneElses = items.EnumerateArray().First(i => i.Str("owner") != sub);

        var edit = await newcomer.SendAsync(new HttpRequestMessage(HttpMethod.Patch, $"/api/action-items/{someoneElses.Str("id")}")
        {
            Content = JsonContent.Create(new { priority = "critical" }),
        });

        Assert.Equal(HttpStatusCode.OK, edit.StatusCode);
        Assert.Equal("critical", (await edit.Body()).Str("priority"));
    }
}
