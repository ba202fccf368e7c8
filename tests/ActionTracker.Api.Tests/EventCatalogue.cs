using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;

namespace ActionTracker.Api.Tests;

/// <summary>
/// docs/events.md is the contract other services code against: every type the service emits is
/// in it, and every real event's data matches its schema.
/// </summary>
public sealed partial class EventCatalogue(ApiFixture api) : IClassFixture<ApiFixture>
{
    private static Dictionary<string, JsonElement> Schemas()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "docs", "events.md")))
            dir = dir.Parent;
        var text = File.ReadAllText(Path.Combine(dir?.FullName ?? throw new FileNotFoundException("docs/events.md"), "docs", "events.md"));
        return Section().Matches(text).ToDictionary(m => m.Groups[1].Value, m => JsonSerializer.Deserialize<JsonElement>(m.Groups[2].Value));
    }

    [GeneratedRegex(@"^## (actiontracker\.[a-z_.0-9]+)\s*$.*?```json\s*(\{.*?\})\s*```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex Section();

    [Fact]
    public async Task every_emitted_type_is_catalogued_and_its_data_matches_the_schema()
    {
        var schemas = Schemas();
        Assert.Equal(ActionTracker.Api.Events.PublicEvents.Types.Order(), schemas.Keys.Order());

        var team = "cat-" + Guid.NewGuid().ToString("N")[..6];
        var lead = api.As("lead-" + team, [team], "lead");
        Assert.True((await lead.PutAsJsonAsync($"/api/teams/{team}", new { leads = new[] { "lead-" + team } })).IsSuccessStatusCode);
        var id = await lead.CreateItem(team: team, owner: "ann", priority: "critical");
        await lead.Post($"/api/action-items/{id}/assignment", new { owner = "ben" });
        await lead.Post($"/api/action-items/{id}/status", new { status = "blocked", reason = "Vendor." });
        await lead.Post($"/api/action-items/{id}/comments", new { text = "Chased the vendor." });
        await lead.SendAsync(new HttpRequestMessage(HttpMethod.Patch, $"/api/action-items/{id}") { Content = JsonContent.Create(new { title = "Pin the vendor's fixed release", labels = new[] { "vendor" } }) });
        await lead.Post($"/api/action-items/{id}/due-date", new { dueAt = api.Clock.GetUtcNow().AddDays(3).ToString("O"), reason = "Vendor fix next week." });
        foreach (var step in new[] { 1.5, 2, 3.5, 4 })
        {
            api.Clock.Advance(TimeSpan.FromDays(step));
            await api.Services.RunDue();
        }
        var admin = api.As("root", [], "admin");
        await admin.PostAsync("/api/digests/weekly/run", null);

        var seen = new List<JsonElement>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var after = "";
        while (seen.Select(e => e.Str("type")).Distinct().Count() < schemas.Count)
        {
            var page = await (await lead.GetAsync($"/api/events?team={team}&limit=100&after={after}", timeout.Token)).Body();
            seen.AddRange(page.GetProperty("events").EnumerateArray());
            after = page.Str("next");
            if (page.GetProperty("events").GetArrayLength() == 0)
                await Task.Delay(20, timeout.Token);
        }

        foreach (var e in seen)
            Validate(schemas[e.Str("type")], e.GetProperty("data"), e.Str("type"));
    }

    /// <summary>The part of JSON Schema the catalogue uses: type (or types), enum, required, properties, additionalProperties.</summary>
    private static void Validate(JsonElement schema, JsonElement value, string path)
    {
        var types = schema.TryGetProperty("type", out var t)
            ? t.ValueKind == JsonValueKind.Array ? t.EnumerateArray().Select(x => x.GetString()!).ToArray() : [t.GetString()!]
            : [];
        var actual = value.ValueKind switch
        {
            JsonValueKind.Object => "object",
            JsonValueKind.Array => "array",
            JsonValueKind.String => "string",
            JsonValueKind.Number => value.TryGetInt64(out _) ? "integer" : "number",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            _ => "null",
        };
        Assert.True(types.Length == 0 || types.Contains(actual) || (actual == "integer" && types.Contains("number")),
            $"{path}: {actual} is not {string.Join("|", types)}");
        if (schema.TryGetProperty("enum", out var allowed) && value.ValueKind == JsonValueKind.String)
            Assert.Contains(value.GetString(), allowed.EnumerateArray().Select(a => a.GetString()));
        if (value.ValueKind != JsonValueKind.Object)
            return;
        var properties = schema.TryGetProperty("properties", out var p) ? p : default;
        if (schema.TryGetProperty("required", out var required))
            foreach (var name in required.EnumerateArray())
                Assert.True(value.TryGetProperty(name.GetString()!, out _), $"{path}: {name} is required");
        foreach (var property in value.EnumerateObject())
        {
            if (properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(property.Name, out var sub))
                Validate(sub, property.Value, $"{path}.{property.Name}");
            else
                Assert.False(schema.TryGetProperty("additionalProperties", out var extra) && extra.ValueKind == JsonValueKind.False,
                    $"{path}: {property.Name} is not in the schema");
        }
    }
}
