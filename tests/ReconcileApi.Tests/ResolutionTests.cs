using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using static ReconcileApi.Tests.Api;
using static ReconcileApi.Tests.LifecycleTestData;

namespace ReconcileApi.Tests;

/// <summary>Issue #5: people move discrepancies through their states, one at a time or in bulk.</summary>
public sealed class ResolutionTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    /// <summary><paramref name="count"/> store orders missing in Keap; their discrepancy ids by order number.</summary>
    static async Task<List<long>> MissingOrdersAsync(WorkspaceClient ws, int count)
    {
        var store = Enumerable.Range(1, count)
            .Select(i => Order($"S{i}", $"#{1000 + i}", 20m * i, email: $"buyer{i}@example.com", date: Day))
            .Append(StoreAnchor());
        await ws.Http.IngestAsync("store", store.ToArray());
        await ws.Http.IngestAsync("keap", new[] { KeapAnchor() });
        var run = await ws.Http.RunAsync(Window);
        Assert.Equal(count, run.GetProperty("discrepancies").GetInt32());
        var ids = (await ws.Http.DiscrepanciesAsync()).OrderBy(d => d.Str("orderKey")).Select(d => d.Id()).ToList();
        return ids;
    }

    static Task<HttpResponseMessage> ResolveAsync(WorkspaceClient ws, long id, string action, string? note = null, string resolvedBy = "ana@example.com", string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/discrepancies/{id}/resolution")
        {
            Content = JsonContent.Create(new { action, note, resolvedBy }),
        };
        if (ifMatch is not null)
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return ws.Http.SendAsync(request);
    }

    static async Task<List<JsonElement>> HistoryAsync(WorkspaceClient ws, long id) =>
        (await (await ws.Http.GetAsync($"/api/v1/discrepancies/{id}/history")).Json()).EnumerateArray().ToList();

    [Theory]
    [InlineData(null, "acknowledge", "acknowledged")]
    [InlineData(null, "resynced", "resolved")]
    [InlineData(null, "created_in_keap", "resolved")]
    [InlineData(null, "updated_in_keap", "resolved")]
    [InlineData(null, "updated_in_store", "resolved")]
    [InlineData(null, "accepted_difference", "ignored")]
    [InlineData(null, "false_positive", "ignored")]
    [InlineData("acknowledge", "created_in_keap", "resolved")]
    [InlineData("acknowledge", "false_positive", "ignored")]
    [InlineData("resynced", "reopen", "open")]
    [InlineData("accepted_difference", "reopen", "open")]
    public async Task Action_MovesTheDiscrepancyToItsState_AndRecordsWhoDidItInTheHistory(string? before, string action, string expected)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var ids = await MissingOrdersAsync(ws, 1);
        var id = ids[0];
        if (before is not null)
            Assert.Equal(HttpStatusCode.OK, (await ResolveAsync(ws, id, before, resolvedBy: "first@example.com")).StatusCode);
        var from = (await (await ws.Http.GetAsync($"/api/v1/discrepancies/{id}")).Json()).Str("state");

        var response = await ResolveAsync(ws, id, action, "Checked with the shop owner", "ana@example.com");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Json();
        Assert.Equal(expected, body.Str("state"));
        var hasResolution = body.TryGetProperty("resolution", out var resolution) && resolution.ValueKind == JsonValueKind.Object;
        if (expected is "resolved" or "ignored")
        {
            Assert.True(hasResolution, body.GetRawText());
            Assert.Equal(action, resolution.Str("action"));
            Assert.Equal("Checked with the shop owner", resolution.Str("note"));
            Assert.Equal("ana@example.com", resolution.Str("resolvedBy"));
            Assert.InRange(resolution.GetProperty("resolvedAt").GetDateTimeOffset(), ApiFactory.Start, factory.Clock.GetUtcNow());
        }
        else
            Assert.False(hasResolution, body.GetRawText());
        var last = (await HistoryAsync(ws, id))[^1];
        Assert.Equal("state_changed", last.Str("kind"));
        Assert.Equal(from, last.Str("fromState"));
        Assert.Equal(expected, last.Str("toState"));
        Assert.Equal(action, last.Str("action"));
        Assert.Equal("ana@example.com", last.Str("actor"));
        Assert.Equal("Checked with the shop owner", last.Str("note"));
    }

    [Theory]
    [InlineData(null, "reopen", "open")]
    [InlineData("acknowledge", "acknowledge", "acknowledged")]
    [InlineData("resynced", "resynced", "resolved")]
    [InlineData("false_positive", "false_positive", "ignored")]
    public async Task Action_IsA200NoOp_WhenTheDiscrepancyIsAlreadyInItsStateByThatAction_EvenWithTheFirstAttemptsStaleETag(string? before, string action, string state)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var id = (await MissingOrdersAsync(ws, 1))[0];
        var etag = (await ws.Http.GetAsync($"/api/v1/discrepancies/{id}")).Headers.ETag!.Tag;
        if (before is not null)
            Assert.Equal(HttpStatusCode.OK, (await ResolveAsync(ws, id, before, "first", ifMatch: etag)).StatusCode);
        var historyBefore = (await HistoryAsync(ws, id)).Count;
        var current = await (await ws.Http.GetAsync($"/api/v1/discrepancies/{id}")).Json();

        // Zapier's Autoreplay sends the same request again, If-Match included.
        var response = await ResolveAsync(ws, id, action, "second", ifMatch: etag);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Json();
        Assert.Equal(state, body.Str("state"));
        Assert.Equal(current.Str("updatedAt"), body.Str("updatedAt"));
        Assert.Equal(historyBefore, (await HistoryAsync(ws, id)).Count);
    }

    [Theory]
    [InlineData("acknowledge", "reopen", "acknowledged")]
    [InlineData("resynced", "acknowledge", "resolved")]
    [InlineData("resynced", "updated_in_store", "resolved")]
    [InlineData("false_positive", "accepted_difference", "ignored")]
    [InlineData("accepted_difference", "acknowledge", "ignored")]
    public async Task Action_Returns409WithCurrentState_WhenItDoesNotApplyToTheState(string? before, string action, string current)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var ids = await MissingOrdersAsync(ws, 1);
        var id = ids[0];
        if (before is not null)
            Assert.Equal(HttpStatusCode.OK, (await ResolveAsync(ws, id, before)).StatusCode);
        var historyBefore = (await HistoryAsync(ws, id)).Count;

        var response = await ResolveAsync(ws, id, action);

        await response.AssertProblemAsync(HttpStatusCode.Conflict, current);
        Assert.Equal(current, (await response.Json()).Str("currentState"));
        Assert.Equal(current, (await (await ws.Http.GetAsync($"/api/v1/discrepancies/{id}")).Json()).Str("state"));
        Assert.Equal(historyBefore, (await HistoryAsync(ws, id)).Count);
    }

    [Fact]
    public async Task IfMatch_WithTheCurrentETag_Applies_TheETagChanges_AndTheOldOneIsThen412()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var ids = await MissingOrdersAsync(ws, 1);
        var id = ids[0];
        var read = await ws.Http.GetAsync($"/api/v1/discrepancies/{id}");
        var etag = read.Headers.ETag!.Tag;

        var applied = await ResolveAsync(ws, id, "acknowledge", ifMatch: etag);
        Assert.Equal(HttpStatusCode.OK, applied.StatusCode);
        var newTag = applied.Headers.ETag!.Tag;
        Assert.NotEqual(etag, newTag);
        Assert.Equal(newTag, (await ws.Http.GetAsync($"/api/v1/discrepancies/{id}")).Headers.ETag!.Tag);

        var stale = await ResolveAsync(ws, id, "resynced", ifMatch: etag);
        await stale.AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        Assert.Equal("acknowledged", (await (await ws.Http.GetAsync($"/api/v1/discrepancies/{id}")).Json()).Str("state"));

        Assert.Equal(HttpStatusCode.OK, (await ResolveAsync(ws, id, "resynced", ifMatch: newTag)).StatusCode);
    }

    [Theory]
    [InlineData("{0}")]
    [InlineData("{0}, {0}")] // a client that sends the tag it read twice
    [InlineData("\"77\", {0}")]
    [InlineData("W/\"77\",{0}")]
    [InlineData("*")]
    public async Task IfMatch_IsAListOfEntityTags_ThatMatchesWhenAnyStrongOneNamesTheVersion_OrIsAStar(string ifMatch)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var ids = await MissingOrdersAsync(ws, 1);
        var etag = (await ws.Http.GetAsync($"/api/v1/discrepancies/{ids[0]}")).Headers.ETag!.Tag;

        var response = await ResolveAsync(ws, ids[0], "acknowledge", ifMatch: string.Format(ifMatch, etag));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("acknowledged", (await response.Json()).Str("state"));
    }

    [Fact]
    public async Task IfMatch_AcceptsTheWeakFormOfTheCurrentETag_AsAProxyThatCompressesGivesIt()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var ids = await MissingOrdersAsync(ws, 1);
        var etag = (await ws.Http.GetAsync($"/api/v1/discrepancies/{ids[0]}")).Headers.ETag!.Tag;

        var response = await ResolveAsync(ws, ids[0], "acknowledge", ifMatch: "W/" + etag);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("acknowledged", (await response.Json()).Str("state"));
    }

    [Theory]
    [InlineData("1", "If-Match: \"1\"")]
    [InlineData("\"1\" \"2\"", "If-Match: \"9\"")]
    [InlineData("\"1", "If-Match: \"9\"")]
    [InlineData("W/1", "If-Match: \"9\"")]
    public async Task IfMatch_ThatIsNotAListOfEntityTags_Is400NamingTheHeaderAndItsForm_NotA412(string ifMatch, string form)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var ids = await MissingOrdersAsync(ws, 1);

        var response = await ResolveAsync(ws, ids[0], "acknowledge", ifMatch: ifMatch);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, form);
        Assert.Contains(form, (await response.Json()).GetProperty("errors").GetProperty("If-Match")[0].GetString());
        Assert.Equal("open", (await (await ws.Http.GetAsync($"/api/v1/discrepancies/{ids[0]}")).Json()).Str("state"));
    }

    [Fact]
    public async Task History_CannotBeRewritten_OnlyReadAndAppended()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var ids = await MissingOrdersAsync(ws, 1);
        var before = (await HistoryAsync(ws, ids[0])).Select(h => h.GetRawText()).ToList();

        foreach (var method in new[] { HttpMethod.Delete, HttpMethod.Put, HttpMethod.Patch, HttpMethod.Post })
        {
            var response = await ws.Http.SendAsync(new HttpRequestMessage(method, $"/api/v1/discrepancies/{ids[0]}/history") { Content = JsonContent.Create(new object[0]) });
            Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        }

        Assert.Equal(before, (await HistoryAsync(ws, ids[0])).Select(h => h.GetRawText()));
    }

    [Fact]
    public async Task IfMatch_IsAlsoStale_AfterARunUpdatedTheDiscrepancy()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var ids = await MissingOrdersAsync(ws, 1);
        var etag = (await ws.Http.GetAsync($"/api/v1/discrepancies/{ids[0]}")).Headers.ETag!.Tag;

        await ws.Http.RunAsync(Window);

        Assert.NotEqual(etag, (await ws.Http.GetAsync($"/api/v1/discrepancies/{ids[0]}")).Headers.ETag!.Tag);
        await (await ResolveAsync(ws, ids[0], "acknowledge", ifMatch: etag)).AssertProblemAsync(HttpStatusCode.PreconditionFailed);
    }

    [Fact]
    public async Task Resolution_ReturnsTheWholeUpdatedDiscrepancy_AsGetShowsIt()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var ids = await MissingOrdersAsync(ws, 1);

        var response = await ResolveAsync(ws, ids[0], "created_in_keap", "Created as Keap order 8812");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Json();
        var read = await (await ws.Http.GetAsync($"/api/v1/discrepancies/{ids[0]}")).Json();
        Assert.Equal(read.GetRawText(), body.GetRawText());
        foreach (var property in new[] { "id", "runId", "category", "severity", "orderKey", "storeOrderId", "impact", "cause", "suggestedAction", "occurrences", "updatedAt" })
            Assert.True(body.TryGetProperty(property, out _), property);
    }

    [Fact]
    public async Task Bulk_WithAnIdGivenTwice_AppliesItOnce_AndReportsEveryIdSent()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var ids = await MissingOrdersAsync(ws, 2);
        var unknown = ids.Max() + 1_000_000;

        var response = await ws.Http.PostAsJsonAsync("/api/v1/discrepancies/resolutions", new
        {
            ids = new[] { ids[0], ids[1], ids[0], unknown, unknown },
            action = "acknowledge",
            resolvedBy = "make@example.com",
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Json();
        var results = body.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal([ids[0], ids[1], ids[0], unknown, unknown], results.Select(r => r.Id()));
        Assert.Equal(["applied", "applied", "unchanged", "not_found", "not_found"], results.Select(r => r.Str("outcome")));
        Assert.Equal("acknowledged", results[2].Str("state"));
        Assert.Equal((2, 1, 2), (body.GetProperty("applied").GetInt32(), body.GetProperty("unchanged").GetInt32(), body.GetProperty("failed").GetInt32()));
        // Applied once: one state change in its history.
        Assert.Equal(["created", "state_changed"], (await HistoryAsync(ws, ids[0])).Select(h => h.Str("kind")));
    }

    [Fact]
    public async Task Bulk_ReportsEachId_AppliedNotFoundOrInvalidTransition_AndAnotherWorkspacesIdIsNotFound()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var ids = await MissingOrdersAsync(ws, 4);
        using var other = await factory.CreateWorkspaceAsync();
        var otherIds = await MissingOrdersAsync(other, 1);
        Assert.Equal(HttpStatusCode.OK, (await ResolveAsync(ws, ids[2], "resynced")).StatusCode);
        // Already ignored by the same action: a repeat, unchanged.
        Assert.Equal(HttpStatusCode.OK, (await ResolveAsync(ws, ids[3], "accepted_difference")).StatusCode);
        var historyOfRepeat = (await HistoryAsync(ws, ids[3])).Count;
        var historyOfResolved = (await HistoryAsync(ws, ids[2])).Count;
        var unknown = ids.Max() + otherIds.Max() + 1_000_000;

        var response = await ws.Http.PostAsJsonAsync("/api/v1/discrepancies/resolutions", new
        {
            ids = new[] { ids[0], unknown, ids[2], otherIds[0], ids[1], ids[3] },
            action = "accepted_difference",
            note = "Legacy rounding",
            resolvedBy = "bulk@example.com",
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Json();
        Assert.Equal(2, body.GetProperty("applied").GetInt32());
        Assert.Equal(1, body.GetProperty("unchanged").GetInt32());
        Assert.Equal(3, body.GetProperty("failed").GetInt32());
        var results = body.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal([ids[0], unknown, ids[2], otherIds[0], ids[1], ids[3]], results.Select(r => r.Id()));
        Assert.Equal(["applied", "not_found", "invalid_transition", "not_found", "applied", "unchanged"], results.Select(r => r.Str("outcome")));
        Assert.Equal("ignored", results[5].Str("state"));
        Assert.Equal(historyOfRepeat, (await HistoryAsync(ws, ids[3])).Count);
        Assert.Equal("ignored", results[0].Str("state"));
        Assert.Equal("resolved", results[2].Str("state"));

        foreach (var id in new[] { ids[0], ids[1] })
        {
            var d = await (await ws.Http.GetAsync($"/api/v1/discrepancies/{id}")).Json();
            Assert.Equal("ignored", d.Str("state"));
            Assert.Equal("Legacy rounding", d.GetProperty("resolution").Str("note"));
            var last = (await HistoryAsync(ws, id))[^1];
            Assert.Equal("state_changed", last.Str("kind"));
            Assert.Equal("accepted_difference", last.Str("action"));
            Assert.Equal("bulk@example.com", last.Str("actor"));
            Assert.Equal("Legacy rounding", last.Str("note"));
        }
        Assert.Equal(historyOfResolved, (await HistoryAsync(ws, ids[2])).Count);
        Assert.Equal("resolved", (await (await ws.Http.GetAsync($"/api/v1/discrepancies/{ids[2]}")).Json()).Str("state"));
        var untouched = await (await other.Http.GetAsync($"/api/v1/discrepancies/{otherIds[0]}")).Json();
        Assert.Equal("open", untouched.Str("state"));
        Assert.Single(await HistoryAsync(other, otherIds[0]));
    }

    [Fact]
    public async Task Bulk_Returns400ByField_ForMoreThan1000Ids_AndChangesNothing()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var ids = await MissingOrdersAsync(ws, 1);
        var tooMany = Enumerable.Range(1, 1000).Select(i => (long)i + 10_000_000).Append(ids[0]).ToArray();

        var response = await ws.Http.PostAsJsonAsync("/api/v1/discrepancies/resolutions", new { ids = tooMany, action = "acknowledge", resolvedBy = "me" });

        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("1000", (await response.Json()).GetProperty("errors").GetProperty("ids")[0].GetString());
        Assert.Equal("open", (await (await ws.Http.GetAsync($"/api/v1/discrepancies/{ids[0]}")).Json()).Str("state"));
    }

    [Fact]
    public async Task ConcurrentActions_WithoutIfMatch_EachGetTheStateTheOthersLeft_NeverA412()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var id = (await MissingOrdersAsync(ws, 1))[0];
        string[] actions = ["false_positive", "resynced", "acknowledge", "reopen"];

        // Requests that race for one discrepancy: the losers of each write are decided again on what the winner left.
        var responses = await Task.WhenAll(Enumerable.Range(0, 24).Select(i => ResolveAsync(ws, id, actions[i % actions.Length])));

        foreach (var response in responses)
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Conflict,
                $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        // The history holds each applied change once, and its last state is the discrepancy's.
        var history = await HistoryAsync(ws, id);
        var state = (await (await ws.Http.GetAsync($"/api/v1/discrepancies/{id}")).Json()).Str("state");
        Assert.Equal(state, history[^1].Str("toState"));
    }

    [Fact]
    public async Task IdenticalConcurrentActions_WithTheSameIfMatch_AllAnswer200_AndApplyOnce()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var ids = await MissingOrdersAsync(ws, 3);
        (string Action, string State)[] rounds = [("resynced", "resolved"), ("reopen", "open"), ("false_positive", "ignored"), ("reopen", "open"), ("acknowledge", "acknowledged")];

        foreach (var (action, state) in rounds)
        {
            var etags = new Dictionary<long, string>();
            foreach (var id in ids)
                etags[id] = (await ws.Http.GetAsync($"/api/v1/discrepancies/{id}")).Headers.ETag!.Tag;

            // Zapier's Autoreplay and Make's re-runs send one request several times, If-Match included: the copies that lose
            // the write to the first find the discrepancy as they asked, a repeat, not a failed precondition.
            var responses = await Task.WhenAll(ids.SelectMany(id => Enumerable.Range(0, 8)
                .Select(_ => ResolveAsync(ws, id, action, "Sent again", ifMatch: etags[id]))));

            foreach (var response in responses)
            {
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{action}: {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                Assert.Equal(state, (await response.Json()).Str("state"));
            }
        }
        foreach (var id in ids)
            Assert.Equal(rounds.Select(r => r.Action), (await HistoryAsync(ws, id)).Where(e => e.Str("kind") == "state_changed").Select(e => e.Str("action")));
    }

    [Fact]
    public async Task IdenticalConcurrentBulkActions_ApplyEachIdOnce_AndCountTheRestAsUnchanged()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var ids = await MissingOrdersAsync(ws, 3);
        string[] actions = ["resynced", "reopen", "false_positive", "reopen", "acknowledge"];

        foreach (var action in actions)
        {
            // A no-code step sent again while the first is still running: each id is applied by one, a repeat for the rest.
            var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
                ws.Http.PostAsJsonAsync("/api/v1/discrepancies/resolutions", new { ids, action, resolvedBy = "zap@example.com" })));

            var outcomes = new List<(long Id, string Outcome)>();
            foreach (var response in responses)
            {
                var body = await response.Json();
                Assert.True(body.GetProperty("failed").GetInt32() == 0, $"{action}: {body.GetRawText()}");
                outcomes.AddRange(body.GetProperty("results").EnumerateArray().Select(r => (r.Id(), r.Str("outcome"))));
            }
            foreach (var id in ids)
                Assert.Single(outcomes, o => o.Id == id && o.Outcome == "applied");
        }
        foreach (var id in ids)
            Assert.Equal(actions, (await HistoryAsync(ws, id)).Where(e => e.Str("kind") == "state_changed").Select(e => e.Str("action")));
    }

    [Fact]
    public async Task Bulk_Accepts1000Ids()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var ids = await MissingOrdersAsync(ws, 1);
        var exactly = Enumerable.Range(1, 999).Select(i => (long)i + 10_000_000).Append(ids[0]).ToArray();

        var response = await ws.Http.PostAsJsonAsync("/api/v1/discrepancies/resolutions", new { ids = exactly, action = "acknowledge", resolvedBy = "me" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Json();
        Assert.Equal(1, body.GetProperty("applied").GetInt32());
        Assert.Equal(999, body.GetProperty("failed").GetInt32());
    }

    [Theory]
    [InlineData("resolvedBy", "", "ok")]
    [InlineData("note", "me", null)]
    public async Task Resolution_Returns400ByField_WithoutResolvedByOrWithATooLongNote(string field, string resolvedBy, string? note)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var ids = await MissingOrdersAsync(ws, 1);
        note ??= new string('x', 2001);

        var single = await ws.Http.PostAsJsonAsync($"/api/v1/discrepancies/{ids[0]}/resolution", new { action = "acknowledge", note, resolvedBy });
        var bulk = await ws.Http.PostAsJsonAsync("/api/v1/discrepancies/resolutions", new { ids, action = "acknowledge", note, resolvedBy });

        foreach (var response in new[] { single, bulk })
        {
            await response.AssertProblemAsync(HttpStatusCode.BadRequest);
            Assert.True((await response.Json()).GetProperty("errors").TryGetProperty(field, out _));
        }
        Assert.Equal("open", (await (await ws.Http.GetAsync($"/api/v1/discrepancies/{ids[0]}")).Json()).Str("state"));
    }

    [Fact]
    public async Task Bulk_Returns400ByField_WithoutIds()
    {
        using var ws = await factory.CreateWorkspaceAsync();

        var response = await ws.Http.PostAsJsonAsync("/api/v1/discrepancies/resolutions", new { ids = Array.Empty<long>(), action = "acknowledge", resolvedBy = "me" });

        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True((await response.Json()).GetProperty("errors").TryGetProperty("ids", out _));
    }

    [Fact]
    public async Task Bulk_Returns400NamingTheAction_WhenItIsUnknown()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var ids = await MissingOrdersAsync(ws, 1);

        var response = await ws.Http.PostAsJsonAsync("/api/v1/discrepancies/resolutions", new { ids = new[] { ids[0] }, action = "delete", resolvedBy = "me" });

        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("delete", (await response.Json()).GetProperty("errors").GetProperty("action")[0].GetString());
        Assert.Equal("open", (await (await ws.Http.GetAsync($"/api/v1/discrepancies/{ids[0]}")).Json()).Str("state"));
    }
}
