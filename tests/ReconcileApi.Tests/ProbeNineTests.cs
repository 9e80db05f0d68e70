using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using static ReconcileApi.Tests.Api;

namespace ReconcileApi.Tests;

/// <summary>
/// The ninth probe, as an outside tester: the charset parameter in the forms RFC 9110 allows, conditional writes
/// (If-None-Match on every operation that changes state), headers a tool sends twice, and dates at the calendar's edges.
/// </summary>
public sealed class ProbeNineTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    /// <summary>
    /// UTF-8 spelled as the service documents it reads (<c>utf8</c>), quoted as RFC 9110 allows (<c>charset="utf-8"</c>), or
    /// declared as its ASCII subset: the first two were a 500 on every operation but ingest (the framework's JSON binding
    /// looked the charset up as an encoding name), the third stored each non-ASCII letter as '?'. Each body is read as UTF-8,
    /// as ingest always read it.
    /// </summary>
    [Theory]
    [InlineData("application/json; charset=utf8")]
    [InlineData("application/json; charset=UTF8")]
    [InlineData("application/json; charset=\"utf-8\"")]
    [InlineData("application/json;charset=\"UTF-8\"")]
    [InlineData("application/json; charset=us-ascii")]
    [InlineData("application/json; charset=\"ascii\"")]
    public async Task ABodyInUtf8_DeclaredInAnyFormOfItsName_IsReadAsUtf8_OnEveryOperation(string contentType)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        HttpContent Body(string json)
        {
            var content = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            return content;
        }

        var run = await ws.Http.PostAsync("/api/v1/runs", Body("""{"label":"Café ✓ Zürich"}"""));
        Assert.Equal(HttpStatusCode.Accepted, run.StatusCode);
        Assert.Equal("Café ✓ Zürich", (await run.Json()).GetProperty("label").GetString());

        var schedule = await ws.Http.PostAsync("/api/v1/schedules", Body("""{"name":"Nuit ✓","cron":"30 2 * * *"}"""));
        Assert.Equal(HttpStatusCode.Created, schedule.StatusCode);
        var id = (await schedule.Json()).GetProperty("id").GetString();
        Assert.Equal("Nuit ✓", (await (await ws.Http.GetAsync($"/api/v1/schedules/{id}")).Json()).GetProperty("name").GetString());

        var order = Order("U1");
        order["customerName"] = "José ✓";
        var orders = await ws.Http.PostAsync("/api/v1/sources/store/orders", Body($"[{JsonSerializer.Serialize(order, ApiFactory.Json)}]"));
        Assert.Equal(HttpStatusCode.Created, orders.StatusCode);
        var stored = await (await ws.Http.GetAsync("/api/v1/sources/store/orders/U1")).Json();
        Assert.Equal("José ✓", stored.GetProperty("order").GetProperty("customerName").GetString());
    }

    static HttpRequestMessage Write(HttpMethod method, string path, object? body, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body, options: ApiFactory.Json) };
        foreach (var (name, value) in headers)
            request.Headers.TryAddWithoutValidation(name, value);
        return request;
    }

    /// <summary>
    /// If-None-Match on the two versioned writes was ignored: <c>If-None-Match: *</c> ("only if nothing is there yet") replaced
    /// the settings and resolved a discrepancy. RFC 9110 (13.1.2) has the server evaluate it on every method: the write is
    /// refused with a 412 and changes nothing when the header is <c>*</c> (both always exist) or names the current version
    /// (weak comparison); another version passes; a header that is no entity tag is a 400 on it. A 412 keeps no
    /// Idempotency-Key, so the corrected request goes through with the same key.
    /// </summary>
    [Fact]
    public async Task IfNoneMatch_OnAVersionedWrite_Is412WhenItNamesTheCurrentVersionOrIsAStar_AndChangesNothing()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var settings = (await (await ws.Http.GetAsync("/api/v1/settings")).Json()).GetProperty("settings");
        async Task<int> SettingsVersion() => (await (await ws.Http.GetAsync("/api/v1/settings")).Json()).GetProperty("version").GetInt32();

        await (await ws.Http.SendAsync(Write(HttpMethod.Put, "/api/v1/settings", settings, ("If-None-Match", "*"), ("Idempotency-Key", "inm-1"))))
            .AssertProblemAsync(HttpStatusCode.PreconditionFailed, "If-None-Match: *");
        await (await ws.Http.SendAsync(Write(HttpMethod.Put, "/api/v1/settings", settings, ("If-None-Match", "\"0\""))))
            .AssertProblemAsync(HttpStatusCode.PreconditionFailed, "ETag \"0\"");
        await (await ws.Http.SendAsync(Write(HttpMethod.Put, "/api/v1/settings", settings, ("If-None-Match", "\"7\", W/\"0\""))))
            .AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        var unquoted = await ws.Http.SendAsync(Write(HttpMethod.Put, "/api/v1/settings", settings, ("If-None-Match", "0")));
        await unquoted.AssertProblemAsync(HttpStatusCode.BadRequest, "quotes included");
        Assert.True((await unquoted.Json()).GetProperty("errors").TryGetProperty("If-None-Match", out _));
        Assert.Equal(0, await SettingsVersion());

        var written = await ws.Http.SendAsync(Write(HttpMethod.Put, "/api/v1/settings", settings, ("If-None-Match", "\"7\"")));
        Assert.Equal(HttpStatusCode.OK, written.StatusCode);
        Assert.Equal("\"1\"", written.Headers.ETag?.ToString());
        // The key the 412 carried was not kept: the same request without the condition runs.
        Assert.Equal(HttpStatusCode.OK, (await ws.Http.SendAsync(Write(HttpMethod.Put, "/api/v1/settings", settings, ("Idempotency-Key", "inm-1")))).StatusCode);
        Assert.Equal(2, await SettingsVersion());

        await ws.Http.IngestAsync("store", new[] { Order("N1") });
        await ws.Http.RunAsync();
        var id = (await ws.Http.DiscrepanciesAsync()).Single().GetProperty("id").GetInt64();
        var read = await ws.Http.GetAsync($"/api/v1/discrepancies/{id}");
        var etag = read.Headers.ETag!.ToString();
        var resolve = new { action = "acknowledge", resolvedBy = "ana@example.com" };
        await (await ws.Http.SendAsync(Write(HttpMethod.Post, $"/api/v1/discrepancies/{id}/resolution", resolve, ("If-None-Match", "*"))))
            .AssertProblemAsync(HttpStatusCode.PreconditionFailed, "If-None-Match: *");
        await (await ws.Http.SendAsync(Write(HttpMethod.Post, $"/api/v1/discrepancies/{id}/resolution", resolve, ("If-None-Match", etag))))
            .AssertProblemAsync(HttpStatusCode.PreconditionFailed, etag);
        await (await ws.Http.SendAsync(Write(HttpMethod.Post, $"/api/v1/discrepancies/{id}/resolution", resolve, ("If-None-Match", "nope"))))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "If-None-Match");
        Assert.Equal("open", (await (await ws.Http.GetAsync($"/api/v1/discrepancies/{id}")).Json()).GetProperty("state").GetString());
        Assert.Single((await (await ws.Http.GetAsync($"/api/v1/discrepancies/{id}/history")).Json()).EnumerateArray());

        var acknowledged = await ws.Http.SendAsync(Write(HttpMethod.Post, $"/api/v1/discrepancies/{id}/resolution", resolve, ("If-None-Match", "\"999\"")));
        Assert.Equal(HttpStatusCode.OK, acknowledged.StatusCode);
        Assert.Equal("acknowledged", (await acknowledged.Json()).GetProperty("state").GetString());
    }

    /// <summary>
    /// If-None-Match on a write without versions (a new run, a schedule, a bulk resolution, the alert rules): <c>*</c> asks to
    /// write only where nothing exists, which none of them can promise (a POST adds to a collection that exists), so it is a
    /// 412 and nothing is created or changed; it was ignored, and a caller who sent it to create something once created it
    /// on every retry. Its tags name no current version, so they pass; a header that is no entity tag is a 400.
    /// </summary>
    [Fact]
    public async Task IfNoneMatch_OnAWriteWithoutVersions_IsA412ForAStar_AndChangesNothing()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var schedule = new { name = "Nightly", cron = "30 2 * * *" };

        await (await ws.Http.SendAsync(Write(HttpMethod.Post, "/api/v1/runs", new { }, ("If-None-Match", "*"))))
            .AssertProblemAsync(HttpStatusCode.PreconditionFailed, "If-None-Match: *");
        await (await ws.Http.SendAsync(Write(HttpMethod.Post, "/api/v1/schedules", schedule, ("If-None-Match", "*"))))
            .AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        await (await ws.Http.SendAsync(Write(HttpMethod.Put, "/api/v1/alert-rules", new { rules = new[] { new { rule = "run_failed" } } }, ("If-None-Match", " * "))))
            .AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        await (await ws.Http.SendAsync(Write(HttpMethod.Post, "/api/v1/discrepancies/resolutions", new { ids = new[] { 1 }, action = "acknowledge", resolvedBy = "a@example.com" }, ("If-None-Match", "*"))))
            .AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        await (await ws.Http.SendAsync(Write(HttpMethod.Post, "/api/v1/schedules", schedule, ("If-None-Match", "1"))))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "If-None-Match");
        Assert.Empty((await (await ws.Http.GetAsync("/api/v1/runs")).Json()).GetProperty("items").EnumerateArray());
        Assert.Empty((await (await ws.Http.GetAsync("/api/v1/schedules")).Json()).EnumerateArray());
        Assert.Empty((await (await ws.Http.GetAsync("/api/v1/alert-rules")).Json()).GetProperty("rules").EnumerateArray());

        var created = await ws.Http.SendAsync(Write(HttpMethod.Post, "/api/v1/schedules", schedule, ("If-None-Match", "\"3\"")));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Json()).GetProperty("id").GetString();
        await (await ws.Http.SendAsync(Write(HttpMethod.Delete, $"/api/v1/schedules/{id}", null, ("If-None-Match", "*")))).AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        Assert.Equal(HttpStatusCode.OK, (await ws.Http.GetAsync($"/api/v1/schedules/{id}")).StatusCode);
    }

    /// <summary>
    /// An Idempotency-Key header sent twice with different keys (a tool's retry header beside the one a person set) was
    /// joined into one key neither names ("a,b"): the request ran, and a retry carrying either key ran again. It is a 400 on
    /// the header that runs nothing and claims no key; the same key sent twice is that key, and replays under it.
    /// </summary>
    [Fact]
    public async Task AnIdempotencyKeySentTwiceWithDifferentKeys_Is400OnIt_AndTheSameKeyTwiceIsThatKey()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var twice = await ws.Http.SendAsync(Write(HttpMethod.Post, "/api/v1/runs", new { label = "twice" }, ("Idempotency-Key", "run-a"), ("Idempotency-Key", "run-b")));
        await twice.AssertProblemAsync(HttpStatusCode.BadRequest, "'run-a', 'run-b'");
        Assert.True((await twice.Json()).GetProperty("errors").TryGetProperty("Idempotency-Key", out _));
        await (await ws.Http.SendAsync(Write(HttpMethod.Post, "/api/v1/sources/store/orders", new[] { Order("T1") }, ("Idempotency-Key", "in-a"), ("Idempotency-Key", "in-b"))))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "Idempotency-Key");
        Assert.Empty((await (await ws.Http.GetAsync("/api/v1/runs")).Json()).GetProperty("items").EnumerateArray());
        Assert.Equal(HttpStatusCode.NotFound, (await ws.Http.GetAsync("/api/v1/sources/store/orders/T1")).StatusCode);

        var first = await ws.Http.SendAsync(Write(HttpMethod.Post, "/api/v1/runs", new { label = "twice" }, ("Idempotency-Key", "run-a"), ("Idempotency-Key", "run-a")));
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var retry = await ws.Http.SendAsync(Write(HttpMethod.Post, "/api/v1/runs", new { label = "twice" }, ("Idempotency-Key", "run-a")));
        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal((await first.Json()).GetProperty("id").GetString(), (await retry.Json()).GetProperty("id").GetString());
    }

    /// <summary>
    /// The discrepancy list answered CSV whenever Accept held the text "text/csv": <c>text/csv;q=0</c> (CSV not acceptable)
    /// and a JSON preferred by its quality got CSV. CSV is answered when text/csv's quality is above 0 and at least that of
    /// the most specific range covering JSON; <c>?format=csv</c> still asks for CSV whatever Accept says.
    /// </summary>
    [Theory]
    [InlineData("text/csv", true)]
    [InlineData("application/json, text/csv", true)]
    [InlineData("text/csv, */*;q=0.1", true)]
    [InlineData("application/json;q=0.5, text/csv;q=0.8", true)]
    [InlineData("text/csv;q=0, application/json", false)]
    [InlineData("text/csv;q=0", false)]
    [InlineData("text/csv;q=0.1, application/json;q=0.9", false)]
    [InlineData("text/csv;q=0.5, */*", false)]
    [InlineData("*/*", false)]
    public async Task TheCsvExport_FollowsTheQualitiesOfAccept(string accept, bool csv)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await ws.Http.IngestAsync("store", new[] { Order("Q1") });
        await ws.Http.RunAsync();
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/discrepancies");
        request.Headers.TryAddWithoutValidation("Accept", accept);

        var response = await ws.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(csv ? "text/csv" : "application/json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("Q1", body);
        if (!csv)
        {
            var forced = await ws.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/v1/discrepancies?format=csv") { Headers = { { "Accept", accept } } });
            Assert.Equal("text/csv", forced.Content.Headers.ContentType?.MediaType);
        }
    }

    /// <summary>
    /// Two different keys in one request: X-Api-Key twice was joined into a key that is none and answered "unknown or
    /// revoked" (the caller went to rotate a key that works), and X-Api-Key beside an Authorization holding another workspace
    /// key acted silently in X-Api-Key's workspace. Both are a 401 saying the request holds two keys; the same key twice, or
    /// beside an Authorization that is no key of ours (a gateway's token), is read as before.
    /// </summary>
    [Fact]
    public async Task TwoDifferentKeysInOneRequest_AreA401SayingSo_AndNeitherWorkspaceIsRead()
    {
        using var a = await factory.CreateWorkspaceAsync();
        using var b = await factory.CreateWorkspaceAsync();
        using var client = factory.CreateClient();
        Task<HttpResponseMessage> Get(params (string Name, string Value)[] headers) => client.SendAsync(Write(HttpMethod.Get, "/api/v1/runs", null, headers));

        await (await Get(("X-Api-Key", a.ApiKey), ("X-Api-Key", b.ApiKey))).AssertProblemAsync(HttpStatusCode.Unauthorized, "came 2 times with different keys");
        await (await Get(("X-Api-Key", a.ApiKey), ("Authorization", $"Bearer {b.ApiKey}"))).AssertProblemAsync(HttpStatusCode.Unauthorized, "hold different keys");
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes(b.ApiKey + ":"));
        await (await Get(("X-Api-Key", a.ApiKey), ("Authorization", $"Basic {basic}"))).AssertProblemAsync(HttpStatusCode.Unauthorized, "hold different keys");

        Assert.Equal(HttpStatusCode.OK, (await Get(("X-Api-Key", a.ApiKey), ("X-Api-Key", a.ApiKey))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Get(("X-Api-Key", a.ApiKey), ("Authorization", $"Bearer {a.ApiKey}"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Get(("X-Api-Key", a.ApiKey), ("Authorization", "Bearer eyJhbGciOiJIUzI1NiJ9.gateway.token"))).StatusCode);
    }

    /// <summary>
    /// A body sent as Latin-1 (Windows PowerShell's Invoke-RestMethod sends a string so): "José" arrives with the byte 0xE9,
    /// and the field was told it held "a lone UTF-16 surrogate (an unpaired \ud800–\udfff escape)", which its caller never
    /// wrote. The 400 names the byte and says to send UTF-8; an escaped lone surrogate is still told as one.
    /// </summary>
    [Fact]
    public async Task AFieldOfLatin1Bytes_IsTheByteThatIsNotUtf8_NotALoneSurrogate()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var latin1 = new ByteArrayContent(Encoding.Latin1.GetBytes("""{"name":"José","cron":"0 1 * * *"}"""));
        latin1.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        var response = await ws.Http.PostAsync("/api/v1/schedules", latin1);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        var message = (await response.Json()).GetProperty("errors").GetProperty("name")[0].GetString();
        Assert.Contains("0xE9", message);
        Assert.Contains("UTF-8", message);
        Assert.DoesNotContain("surrogate", message);

        var escaped = await ws.Http.PostAsync("/api/v1/schedules", JsonBody("""{"name":"Jos\ud800","cron":"0 1 * * *"}"""));
        Assert.Contains("lone UTF-16 surrogate", (await escaped.Json()).GetProperty("errors").GetProperty("name")[0].GetString());
        Assert.Empty((await (await ws.Http.GetAsync("/api/v1/schedules")).Json()).EnumerateArray());
    }

    /// <summary>
    /// A JSON file saved as UTF-16 (Windows PowerShell's Out-File, Notepad's "Unicode") was told "'0xFF' is an invalid start
    /// of a value" at position 1, or a NUL byte at position 2: nothing said the encoding. The 400 says the body is UTF-16 (or
    /// UTF-32) and to send UTF-8, on ingest and on our own bodies alike; nothing is stored.
    /// </summary>
    [Theory]
    [InlineData("utf-16le-bom")]
    [InlineData("utf-16be-bom")]
    [InlineData("utf-16le")]
    [InlineData("utf-32le-bom")]
    public async Task AJsonBodyInUtf16OrUtf32_IsA400SayingItsEncoding(string encoding)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        HttpContent Body(string json)
        {
            Encoding text = encoding switch
            {
                "utf-16le-bom" => new UnicodeEncoding(bigEndian: false, byteOrderMark: true),
                "utf-16be-bom" => new UnicodeEncoding(bigEndian: true, byteOrderMark: true),
                "utf-16le" => new UnicodeEncoding(bigEndian: false, byteOrderMark: false),
                _ => new UTF32Encoding(bigEndian: false, byteOrderMark: true),
            };
            var bytes = text.GetPreamble().Concat(text.GetBytes(json)).ToArray();
            var content = new ByteArrayContent(bytes);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            return content;
        }
        var name = encoding.StartsWith("utf-32") ? "UTF-32" : "UTF-16";

        var ingest = await ws.Http.PostAsync("/api/v1/sources/store/orders", Body($"[{JsonSerializer.Serialize(Order("W1"), ApiFactory.Json)}]"));
        await ingest.AssertProblemAsync(HttpStatusCode.BadRequest, $"The body is {name}, not UTF-8");
        var run = await ws.Http.PostAsync("/api/v1/runs", Body("""{"label":"wide"}"""));
        await run.AssertProblemAsync(HttpStatusCode.BadRequest, $"The body is {name}, not UTF-8");

        Assert.Equal(HttpStatusCode.NotFound, (await ws.Http.GetAsync("/api/v1/sources/store/orders/W1")).StatusCode);
        Assert.Empty((await (await ws.Http.GetAsync("/api/v1/runs")).Json()).GetProperty("items").EnumerateArray());
    }

    /// <summary>
    /// If-Match on a GET of a versioned resource (the settings, a discrepancy) was ignored and the current version sent to a
    /// caller who asked for it only if it was still the one it held (RFC 9110, 13.1.1 applies to every method). Tags that
    /// name another version are a 412 without the body; the current tag, a weak one or <c>*</c> get the 200; If-Match is
    /// evaluated before If-None-Match.
    /// </summary>
    [Fact]
    public async Task IfMatch_OnAGetOfAVersionedResource_Is412WhenItNamesAnotherVersion()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        Task<HttpResponseMessage> Get(string path, params (string Name, string Value)[] headers) => ws.Http.SendAsync(Write(HttpMethod.Get, path, null, headers));
        var settings = await (await ws.Http.GetAsync("/api/v1/settings")).Json();
        Assert.Equal(HttpStatusCode.OK, (await ws.Http.PutAsJsonAsync("/api/v1/settings", settings.GetProperty("settings"), ApiFactory.Json)).StatusCode);

        var stale = await Get("/api/v1/settings", ("If-Match", "\"0\""));
        await stale.AssertProblemAsync(HttpStatusCode.PreconditionFailed, "ETag \"1\"");
        Assert.Null(stale.Headers.ETag);
        Assert.Equal(HttpStatusCode.OK, (await Get("/api/v1/settings", ("If-Match", "\"1\""))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Get("/api/v1/settings", ("If-Match", "W/\"1\""))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Get("/api/v1/settings", ("If-Match", "*"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotModified, (await Get("/api/v1/settings", ("If-Match", "\"1\""), ("If-None-Match", "\"1\""))).StatusCode);
        await (await Get("/api/v1/settings", ("If-Match", "\"0\""), ("If-None-Match", "\"1\""))).AssertProblemAsync(HttpStatusCode.PreconditionFailed);

        await ws.Http.IngestAsync("store", new[] { Order("G1") });
        await ws.Http.RunAsync();
        var id = (await ws.Http.DiscrepanciesAsync()).Single().GetProperty("id").GetInt64();
        var etag = (await ws.Http.GetAsync($"/api/v1/discrepancies/{id}")).Headers.ETag!.ToString();
        await (await Get($"/api/v1/discrepancies/{id}", ("If-Match", "\"999\""))).AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        Assert.Equal(HttpStatusCode.OK, (await Get($"/api/v1/discrepancies/{id}", ("If-Match", etag))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Get("/api/v1/discrepancies/999999", ("If-Match", "\"1\""))).StatusCode);
    }

    /// <summary>
    /// A date in the query that exists where it was written but falls past the calendar's ends in UTC
    /// (9999-12-31T23:59:59-05:00), or a year of five digits, was told "Must be a date like 2026-11-01T00:00:00Z." — it is
    /// one. It is told the range; a date that does not exist is told what a date looks like, as before; the calendar's first
    /// day is read.
    /// </summary>
    [Theory]
    [InlineData("9999-12-31T23:59:59-05:00", "Must be a date from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z; 9999-12-31T23:59:59-05:00 falls outside them in UTC.")]
    [InlineData("0001-01-01T00:00:00+01:00", null)]
    [InlineData("10000-01-01", "Must be a date from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z; 10000-01-01 falls outside them in UTC.")]
    [InlineData("2026-12-32", "Must be a date like 2026-11-01T00:00:00Z.")]
    [InlineData("2026-12-01T25:00:00Z", "Must be a date like 2026-11-01T00:00:00Z.")]
    [InlineData("0001-01-01", null)]
    public async Task ASinceDatePastTheCalendarInUtc_IsToldTheRange(string since, string? message)
    {
        using var ws = await factory.CreateWorkspaceAsync();

        var response = await ws.Http.GetAsync("/api/v1/discrepancies?since=" + Uri.EscapeDataString(since));

        if (message is null)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return;
        }
        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(message, (await response.Json()).GetProperty("errors").GetProperty("since")[0].GetString());
    }

    /// <summary>
    /// A DELETE retried after a timeout (Zapier and Make retry a step whose answer did not arrive) found the schedule or
    /// webhook its first attempt had deleted gone: a 404, and the scenario stopped on a delete that had worked. With the
    /// Idempotency-Key the retry replays the 204; the same key on another delete is 422; without a key it is the 404 as before.
    /// </summary>
    [Fact]
    public async Task ADeleteRetriedWithItsIdempotencyKey_ReplaysThe204()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var schedule = (await (await ws.Http.PostAsJsonAsync("/api/v1/schedules", new { name = "Nightly", cron = "30 2 * * *" })).Json()).GetProperty("id").GetString();
        var webhook = (await (await ws.Http.PostAsJsonAsync("/api/v1/webhooks", new { url = "https://example.com/hook", events = new[] { "run.succeeded" } })).Json()).GetProperty("id").GetString();

        foreach (var path in new[] { $"/api/v1/schedules/{schedule}", $"/api/v1/webhooks/{webhook}" })
        {
            var key = ("Idempotency-Key", "delete-" + path);
            Assert.Equal(HttpStatusCode.NoContent, (await ws.Http.SendAsync(Write(HttpMethod.Delete, path, null, key))).StatusCode);
            var retry = await ws.Http.SendAsync(Write(HttpMethod.Delete, path, null, key));
            Assert.Equal(HttpStatusCode.NoContent, retry.StatusCode);
            Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
            Assert.Equal(HttpStatusCode.NotFound, (await ws.Http.GetAsync(path)).StatusCode);
            await (await ws.Http.DeleteAsync(path)).AssertProblemAsync(HttpStatusCode.NotFound);
        }
        await (await ws.Http.SendAsync(Write(HttpMethod.Delete, $"/api/v1/webhooks/{Guid.NewGuid()}", null, ("Idempotency-Key", $"delete-/api/v1/schedules/{schedule}"))))
            .AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
    }

    /// <summary>
    /// An ingest query parameter given twice (a Make module's query field beside the same parameter typed into the URL) was
    /// joined with a comma: <c>format=canonical&amp;format=csv</c> was "Unknown format 'canonical,csv'", and two timezones were an
    /// unknown zone. It is a 400 saying the parameter is given more than once, as on every other operation; nothing is stored.
    /// </summary>
    [Theory]
    [InlineData("format=canonical&format=canonical", "format")]
    [InlineData("format=canonical&format=shopify", "format")]
    [InlineData("timezone=UTC&timezone=Europe/Paris", "timezone")]
    [InlineData("dateOrder=dmy&dateOrder=mdy", "dateOrder")]
    public async Task AnIngestQueryParameterGivenTwice_Is400SayingSo(string query, string field)
    {
        using var ws = await factory.CreateWorkspaceAsync();

        var response = await ws.Http.PostAsJsonAsync("/api/v1/sources/store/orders?" + query, new[] { Order("P1") }, ApiFactory.Json);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "more than once");
        Assert.Equal("Is given more than once; send it once.", (await response.Json()).GetProperty("errors").GetProperty(field)[0].GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await ws.Http.GetAsync("/api/v1/sources/store/orders/P1")).StatusCode);
    }
}
