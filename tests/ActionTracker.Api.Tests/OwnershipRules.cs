using System.Net;

namespace ActionTracker.Api.Tests;

/// <summary>
/// The ownership matrix of API.md, on an item of team platform owned by alice. Every cell builds
/// a fresh item through the API, tries one action as one caller, and checks the answer and that
/// a refusal changed nothing.
/// </summary>
public sealed class OwnershipRules(ApiFixture api) : IClassFixture<ApiFixture>
{
    private readonly Cast _cast = new(api);

    public enum Who { Owner, TeamMember, TeamLead, OtherLead, OtherMember, Admin, Service }

    public enum Action { Start, Complete, WontDo, Reopen, HandOver, MoveTeam, Postpone, BringForward, LeadPostpone, Comment, Read }

    private HttpClient Client(Who who) => who switch
    {
        Who.Owner => _cast.Alice,
        Who.TeamMember => _cast.Bob,
        Who.TeamLead => _cast.Lena,
        Who.OtherLead => _cast.Paul,
        Who.OtherMember => _cast.Olga,
        Who.Admin => _cast.Admin,
        Who.Service => _cast.Importer,
        _ => throw new ArgumentOutOfRangeException(nameof(who)),
    };

    public static TheoryData<Action, Who, bool> Matrix()
    {
        var allowed = new Dictionary<Action, Who[]>
        {
            [Action.Start] = [Who.Owner, Who.TeamLead, Who.Admin],
            [Action.Complete] = [Who.Owner, Who.TeamLead, Who.Admin],
            [Action.WontDo] = [Who.TeamLead, Who.Admin],
            [Action.Reopen] = [Who.TeamLead, Who.Admin],
            [Action.HandOver] = [Who.Owner, Who.TeamLead, Who.Admin],
            [Action.MoveTeam] = [Who.TeamLead, Who.Admin],
            [Action.Postpone] = [Who.Owner, Who.TeamLead, Who.Admin],
            [Action.BringForward] = [Who.Owner, Who.TeamLead, Who.Admin],
            [Action.LeadPostpone] = [Who.TeamLead, Who.Admin],
            [Action.Comment] = [Who.Owner, Who.TeamMember, Who.TeamLead, Who.Admin],
            [Action.Read] = Enum.GetValues<Who>(),
        };
        var data = new TheoryData<Action, Who, bool>();
        foreach (var (action, who) in allowed)
            foreach (var caller in Enum.GetValues<Who>())
                data.Add(action, caller, who.Contains(caller));
        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task who_may_do_what(Action action, Who who, bool allowed)
    {
        var id = await _cast.Alice.CreateItem(priority: "high");
        var item = await _cast.Alice.Item(id);
        var due = DateTimeOffset.Parse(item.Str("dueAt"));
        if (action == Action.Reopen)
            Assert.Equal(HttpStatusCode.OK, (await _cast.Alice.Post($"/api/action-items/{id}/status", new { status = "done" })).StatusCode);
        var before = await api.EventCount();

        var client = Client(who);
        var url = $"/api/action-items/{id}";
        var response = action switch
        {
            Action.Start => await client.Post($"{url}/status", new { status = "in_progress" }),
            Action.Complete => await client.Post($"{url}/status", new { status = "done" }),
            Action.WontDo => await client.Post($"{url}/status", new { status = "wont_do", reason = "Superseded." }),
            Action.Reopen => await client.Post($"{url}/status", new { status = "open", reason = "Came back." }),
            Action.HandOver => await client.Post($"{url}/assignment", new { owner = "bob" }),
            Action.MoveTeam => await client.Post($"{url}/assignment", new { owner = "olga", team = "payments" }),
            Action.Postpone => await client.Post($"{url}/due-date", new { dueAt = due.AddDays(10).ToString("O"), reason = "Late parts." }),
            Action.BringForward => await client.Post($"{url}/due-date", new { dueAt = due.AddDays(-10).ToString("O"), reason = "Sooner." }),
            // Beyond twice the default: only a lead or an admin.
            Action.LeadPostpone => await client.Post($"{url}/due-date", new { dueAt = due.AddDays(45).ToString("O"), reason = "Next quarter." }),
            Action.Comment => await client.Post($"{url}/comments", new { text = "Any news?" }),
            Action.Read => await client.GetAsync(url),
            _ => throw new ArgumentOutOfRangeException(nameof(action)),
        };

        if (allowed)
        {
            Assert.True(response.IsSuccessStatusCode, $"{who} {action}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        else
        {
            await response.AssertProblem(HttpStatusCode.Forbidden);
            Assert.Equal(before, await api.EventCount());
        }
    }
}
