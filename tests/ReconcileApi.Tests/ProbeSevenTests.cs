using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ReconcileApi.Features.Webhooks;
using static ReconcileApi.Tests.Api;

namespace ReconcileApi.Tests;

/// <summary>
/// The seventh probe, as an outside tester: a misspelled query parameter on every operation of the live contract,
/// conditional GETs with the ETags the service hands out, and what is kept at the width of its column.
/// </summary>
public sealed class ProbeSevenTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    const string Unknown = "zzNotAParameter";

    /// <summary>
    /// Every operation of the live document — reads of one resource, deletes, the admin operations — given a query parameter
    /// it does not read answers 400 naming it, documents that 400, and does nothing: <c>GET /webhooks?status=failed</c> listed
    /// the webhooks as if unfiltered and <c>DELETE /schedules/{id}?dryRun=true</c> deleted, each under a success. The table is
    /// the document, so an operation added later is held to it too.
    /// </summary>
    [Fact]
    public async Task EveryOperation_GivenAQueryParameterItDoesNotRead_Is400NamingIt_AndDoesNothing()
    {
        using var a = await factory.CreateWorkspaceAsync();
        using var admin = factory.CreateAdminClient();
        await using var receiver = await WebhookReceiver.StartAsync();
        var ids = await EveryOperation.SeedAsync(a, receiver.Url, "P7-Q1");
        var webhookId = ids["webhooks"];
        ids["workspaces"] = a.WorkspaceId.ToString();
        ids["keyId"] = (await (await admin.PostAsync($"/api/v1/admin/workspaces/{a.WorkspaceId}/keys", null)).Json()).GetProperty("keyId").GetString()!;
        var runsBefore = (await (await a.Http.GetAsync("/api/v1/runs")).Json()).GetProperty("items").GetArrayLength();

        var document = await (await a.Http.GetAsync("/swagger/v1/swagger.json")).Json();
        var failures = new List<string>();
        var checkedOperations = 0;
        foreach (var path in document.GetProperty("paths").EnumerateObject().Where(p => p.Name.StartsWith("/api/v1/", StringComparison.Ordinal)))
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var method = new HttpMethod(operation.Name.ToUpperInvariant());
                using var request = new HttpRequestMessage(method, EveryOperation.Url(path.Name, ids) + $"?{Unknown}=1");
                if (method == HttpMethod.Post || method == HttpMethod.Put)
                    request.Content = JsonContent.Create(EveryOperation.BodyFor(path.Name, ids), options: ApiFactory.Json);
                var client = path.Name.StartsWith("/api/v1/admin/", StringComparison.Ordinal) ? admin : a.Http;
                var response = await client.SendAsync(request);
                var text = await response.Content.ReadAsStringAsync();
                var label = $"{method} {path.Name}";
                checkedOperations++;
                if (!operation.Value.GetProperty("responses").TryGetProperty("400", out _))
                    failures.Add($"{label}: its contract has no 400");
                if (response.StatusCode != HttpStatusCode.BadRequest || response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                {
                    failures.Add($"{label}: {(int)response.StatusCode} {text}");
                    continue;
                }
                var errors = JsonDocument.Parse(text).RootElement.GetProperty("errors");
                if (!errors.TryGetProperty(Unknown, out var messages) || !messages[0].GetString()!.Contains("Is not a query parameter", StringComparison.Ordinal))
                    failures.Add($"{label}: the 400 does not name {Unknown}: {text}");
            }
        }
        Assert.True(checkedOperations >= 35, $"Only {checkedOperations} operations in the document");
        Assert.True(failures.Count == 0, string.Join("\n", failures));

        // Nothing was done: the schedule, the webhook and the key are there, the discrepancy is open, no run started.
        Assert.Equal(HttpStatusCode.OK, (await a.Http.GetAsync($"/api/v1/schedules/{ids["schedules"]}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await a.Http.GetAsync($"/api/v1/webhooks/{webhookId}")).StatusCode);
        Assert.Equal("open", (await (await a.Http.GetAsync($"/api/v1/discrepancies/{ids["discrepancies"]}")).Json()).GetProperty("state").GetString());
        Assert.Equal(runsBefore, (await (await a.Http.GetAsync("/api/v1/runs")).Json()).GetProperty("items").GetArrayLength());
        var keys = (await (await admin.GetAsync($"/api/v1/admin/workspaces/{a.WorkspaceId}")).Json()).GetProperty("keys").EnumerateArray();
        Assert.Contains(keys, k => k.GetProperty("keyId").GetString() == ids["keyId"] && k.GetProperty("revokedAt").ValueKind == JsonValueKind.Null);
    }

    /// <summary>
    /// If-None-Match with the ETag the service gave (RFC 9110, 13.1.2 and 15.4.5): a GET or HEAD whose tag names the current
    /// version — strong or weak (13.1.2 compares weakly), alone, in a list, or <c>*</c> — is 304 with the ETag and no body; a
    /// stale or other tag gets the whole answer. It was ignored: a poller holding the current ETag got the whole body each time.
    /// </summary>
    [Fact]
    public async Task IfNoneMatch_WithTheCurrentETag_Is304WithoutABody_AndAStaleOneGetsTheAnswer()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await ws.Http.IngestAsync("store", new[] { Order("P7-E1") });
        await ws.Http.RunAsync();
        var id = Assert.Single(await ws.Http.DiscrepanciesAsync()).GetProperty("id").GetInt64();
        var url = $"/api/v1/discrepancies/{id}";
        var first = await ws.Http.GetAsync(url);
        var etag = first.Headers.ETag!.Tag;

        foreach (var (method, ifNoneMatch) in new[] { ("GET", etag), ("GET", "W/" + etag), ("GET", $"\"77\", {etag}"), ("GET", "*"), ("HEAD", etag) })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), url);
            request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
            var response = await ws.Http.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.NotModified, $"{method} If-None-Match: {ifNoneMatch} → {(int)response.StatusCode}");
            Assert.Equal(etag, response.Headers.ETag?.Tag);
            Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        }

        // Another tag, or the one read before a change: the whole answer with the current ETag.
        Assert.Equal(HttpStatusCode.OK, (await GetIfNoneMatch(ws.Http, url, "\"77\"")).StatusCode);
        Assert.True((await ws.Http.PostAsJsonAsync($"{url}/resolution", new { action = "acknowledge", resolvedBy = "p7" })).IsSuccessStatusCode);
        var changed = await GetIfNoneMatch(ws.Http, url, etag);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.NotEqual(etag, changed.Headers.ETag!.Tag);
        Assert.Equal("acknowledged", (await changed.Json()).GetProperty("state").GetString());
        // A resource that is not there stays a 404, whatever the tag.
        await (await GetIfNoneMatch(ws.Http, "/api/v1/discrepancies/999999999", "*")).AssertProblemAsync(HttpStatusCode.NotFound);

        // The settings alike.
        var settings = await ws.Http.GetAsync("/api/v1/settings");
        var settingsTag = settings.Headers.ETag!.Tag;
        var notModified = await GetIfNoneMatch(ws.Http, "/api/v1/settings", settingsTag);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal(settingsTag, notModified.Headers.ETag?.Tag);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
    }

    static Task<HttpResponseMessage> GetIfNoneMatch(HttpClient client, string url, string ifNoneMatch)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        return client.SendAsync(request);
    }

    /// <summary>
    /// A run's callbackUrl is kept with the run in a column of 2,000 characters, as a webhook's URL is; it had no bound and no
    /// text rule, so 2,001 characters started a run on SQLite (and failed its insert with a 500 on SQL Server) and a control
    /// character was kept. Both are a 400 on callbackUrl now, and no run starts; 2,000 characters still do.
    /// </summary>
    [Fact]
    public async Task ACallbackUrlLongerThanKept_OrWithAControlCharacter_IsA400OnIt_AndStartsNoRun()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        const string Start = "https://example.com/";
        foreach (var (url, says) in new[] { (Start + new string('a', 2001 - Start.Length), "2,001 characters"), (Start + "a\u0001b", "U+0001") })
        {
            var response = await ws.Http.PostAsJsonAsync("/api/v1/runs", new { callbackUrl = url });
            await response.AssertProblemAsync(HttpStatusCode.BadRequest);
            var error = (await response.Json()).GetProperty("errors").GetProperty("callbackUrl")[0].GetString()!;
            Assert.Contains(says, error, StringComparison.Ordinal);
        }
        Assert.Equal(0, (await (await ws.Http.GetAsync("/api/v1/runs")).Json()).GetProperty("items").GetArrayLength());
        var longest = await ws.Http.PostAsJsonAsync("/api/v1/runs", new { callbackUrl = Start + new string('a', 2000 - Start.Length) });
        Assert.Equal(HttpStatusCode.Accepted, longest.StatusCode);
    }

    /// <summary>
    /// A time zone is kept as it was sent (a workspace's and a schedule's in 64 characters), and the runtime finds zones by
    /// their files: <c>America//New_York</c> — and with 70 slashes, longer than its column — <c>localtime</c> (the machine's
    /// own zone, another on the next server) and the <c>posix/</c> copies were accepted and kept. Each is now a 400 naming the
    /// field wherever a zone is sent; IANA's names, links such as <c>US/Eastern</c> included, still are read.
    /// </summary>
    [Theory]
    [InlineData("America//New_York")]
    [InlineData("America//////////////////////////////////////////////////////////////////////New_York")]
    [InlineData("localtime")]
    [InlineData("posix/America/New_York")]
    public async Task ATimeZoneIdThatIsAPathNotAName_IsA400WhereverAZoneIsSent(string zone)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        using var admin = factory.CreateAdminClient();

        var schedule = await ws.Http.PostAsJsonAsync("/api/v1/schedules", new { name = "Nightly", cron = "0 6 * * *", timezone = zone });
        await AssertOnField(schedule, "timezone");
        var workspace = await admin.PostAsJsonAsync("/api/v1/admin/workspaces", new { name = "Probe", timezone = zone });
        await AssertOnField(workspace, "timezone");
        var settings = await (await ws.Http.GetAsync("/api/v1/settings")).Json();
        var changed = JsonSerializer.SerializeToNode(settings.GetProperty("settings"))!.AsObject();
        changed["timezone"] = zone;
        await AssertOnField(await ws.Http.PutAsJsonAsync("/api/v1/settings", changed), "timezone");
        var ingest = await ws.Http.PostAsJsonAsync($"/api/v1/sources/store/orders?timezone={Uri.EscapeDataString(zone)}", new[] { Order("P7-Z1") }, ApiFactory.Json);
        await AssertOnField(ingest, "timezone");

        Assert.Equal(0, (await (await ws.Http.GetAsync("/api/v1/schedules")).Json()).GetArrayLength());
        Assert.Equal(0, (await (await ws.Http.GetAsync("/api/v1/settings")).Json()).GetProperty("version").GetInt32());
        foreach (var name in new[] { "America/New_York", "US/Eastern", "Etc/GMT+5", "America/Argentina/ComodRivadavia" })
            Assert.Equal(HttpStatusCode.Created, (await ws.Http.PostAsJsonAsync("/api/v1/schedules", new { name, cron = "0 6 * * *", timezone = name })).StatusCode);
    }

    static async Task AssertOnField(HttpResponseMessage response, string field)
    {
        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        var errors = (await response.Json()).GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _), errors.ToString());
    }

    /// <summary>
    /// A webhook's delivery log pages like every other list: only the newest 100 could be read, so after an outage a failed
    /// delivery behind them could be neither seen nor redelivered (redelivery takes its id). 105 deliveries published in the
    /// same instant (the fake clock stands still, so the order falls to the id) read back as 100 and 5 through nextCursor,
    /// each once, in the order of one page of all; the status filter pages the same; a forged cursor is a 400 on it.
    /// </summary>
    [Fact]
    public async Task TheDeliveryLog_PagesWithACursor_SoNoDeliveryIsOutOfReach()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var ws = await factory.CreateWorkspaceAsync();
        var id = (await (await ws.Http.PostAsJsonAsync("/api/v1/webhooks", new { url = receiver.Url, events = new[] { "run.failed" } })).Json())
            .GetProperty("id").GetString()!;
        using (var scope = factory.Services.CreateScope())
        {
            var events = scope.ServiceProvider.GetRequiredService<WebhookEvents>();
            for (var i = 0; i < 105; i++)
                await events.PublishAsync(ws.WorkspaceId, WebhookEventTypes.RunFailed, new { runId = Guid.NewGuid(), error = $"n{i}" }, null, CancellationToken.None);
        }

        async Task<List<string>> AllAsync(string query)
        {
            var ids = new List<string>();
            string? cursor = null;
            var pages = 0;
            do
            {
                var response = await ws.Http.GetAsync($"/api/v1/webhooks/{id}/deliveries?limit=100{query}" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}"));
                Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
                var page = await response.Json();
                ids.AddRange(page.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("id").GetString()!));
                cursor = page.GetProperty("nextCursor").GetString();
                Assert.True(++pages <= 3, "The pages do not end");
            } while (cursor is not null);
            return ids;
        }
        var all = await AllAsync("");
        Assert.Equal(105, all.Count);
        Assert.Equal(105, all.Distinct().Count());
        var byStatus = await AllAsync("&status=pending,succeeded,failed");
        Assert.Equal(all, byStatus);
        // Pages of 7 give the same deliveries in the same order.
        var sevens = new List<string>();
        string? next = null;
        do
        {
            var page = await (await ws.Http.GetAsync($"/api/v1/webhooks/{id}/deliveries?limit=7" + (next is null ? "" : $"&cursor={next}"))).Json();
            sevens.AddRange(page.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("id").GetString()!));
            next = page.GetProperty("nextCursor").GetString();
        } while (next is not null);
        Assert.Equal(all, sevens);

        var forged = await ws.Http.GetAsync($"/api/v1/webhooks/{id}/deliveries?cursor=bm90LWEtY3Vyc29y");
        await forged.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True((await forged.Json()).GetProperty("errors").TryGetProperty("cursor", out _));
    }

    /// <summary>
    /// The settings' texts follow the rule every other request body follows: the store's name (it goes into every suggested
    /// Keap title, the CSV export and webhooks) at most 64 characters as the platform it stands for, a mapped SKU 255 as an
    /// order's, a raw status 64 as an order's, none with a control character. Each was kept at any length and with a NUL.
    /// </summary>
    [Theory]
    [InlineData("storeName", "storeName")]
    [InlineData("storeNameControl", "storeName")]
    [InlineData("skuMap", "skuMap")]
    [InlineData("skuMapControl", "skuMap")]
    [InlineData("statusMap", "statusMap.store")]
    public async Task SettingsTextLongerThanAnOrdersOrWithAControlCharacter_IsA400OnIt_AndNoVersionIsStored(string change, string field)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var settings = JsonSerializer.SerializeToNode((await (await ws.Http.GetAsync("/api/v1/settings")).Json()).GetProperty("settings"))!.AsObject();
        var valid = settings.DeepClone().AsObject();
        valid["storeName"] = new string('S', 64);
        valid["skuMap"] = new System.Text.Json.Nodes.JsonObject { [new string('k', 255)] = new string('v', 255) };
        valid["statusMap"] = new System.Text.Json.Nodes.JsonObject { ["store"] = new System.Text.Json.Nodes.JsonObject { [new string('s', 64)] = "paid" } };
        switch (change)
        {
            case "storeName": settings["storeName"] = new string('S', 65); break;
            case "storeNameControl": settings["storeName"] = "Shop\u0000"; break;
            case "skuMap": settings["skuMap"] = new System.Text.Json.Nodes.JsonObject { ["TEE"] = new string('v', 256) }; break;
            case "skuMapControl": settings["skuMap"] = new System.Text.Json.Nodes.JsonObject { ["TEE\u0007"] = "TEE-K" }; break;
            case "statusMap": settings["statusMap"] = new System.Text.Json.Nodes.JsonObject { ["store"] = new System.Text.Json.Nodes.JsonObject { [new string('s', 65)] = "paid" } }; break;
        }

        var response = await ws.Http.PutAsJsonAsync("/api/v1/settings", settings);

        await AssertOnField(response, field);
        Assert.Equal(0, (await (await ws.Http.GetAsync("/api/v1/settings")).Json()).GetProperty("version").GetInt32());
        // At the limits they are kept.
        var kept = await ws.Http.PutAsJsonAsync("/api/v1/settings", valid);
        Assert.True(kept.IsSuccessStatusCode, await kept.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// A webhook secret given by the caller is <c>whsec_</c> + base64, and .NET's base64 decoder skips spaces and line breaks
    /// anywhere: a secret padded with 200 spaces, or broken over lines, was accepted and kept as sent — longer than its
    /// 200-character column (a 500 on SQL Server) and holding control characters. Each is a 400 on secret; the plain one is kept.
    /// </summary>
    [Fact]
    public async Task AWebhookSecretWithSpacesOrLineBreaksInItsBase64_IsA400OnIt()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var base64 = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
        foreach (var secret in new[] { "whsec_" + string.Join(new string(' ', 10), base64.Chunk(2).Select(c => new string(c))), "whsec_" + base64[..20] + "\r\n" + base64[20..] })
        {
            var response = await ws.Http.PostAsJsonAsync("/api/v1/webhooks", new { url = "https://example.com/hook", events = new[] { "run.failed" }, secret });
            await AssertOnField(response, "secret");
        }
        Assert.Equal(0, (await (await ws.Http.GetAsync("/api/v1/webhooks")).Json()).GetArrayLength());
        var plain = await ws.Http.PostAsJsonAsync("/api/v1/webhooks", new { url = "https://example.com/hook", events = new[] { "run.failed" }, secret = "whsec_" + base64 });
        Assert.Equal(HttpStatusCode.Created, plain.StatusCode);
        Assert.Equal("whsec_" + base64, (await plain.Json()).GetProperty("secret").GetString());
    }
}
