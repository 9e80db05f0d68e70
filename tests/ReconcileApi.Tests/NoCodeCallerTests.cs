using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ReconcileApi.Infrastructure;
using static ReconcileApi.Tests.Api;

namespace ReconcileApi.Tests;

/// <summary>
/// How Make's "Make a request" and Zapier's "Webhooks by Zapier" call the API (issue #12): no body where none is needed,
/// typos that must not fall back to defaults, errors a person can act on, the key in the body, replays.
/// </summary>
public sealed class NoCodeCallerTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    static readonly string[] FrameworkText = ["Failed to bind", "Nullable", "System.", "DateTime", "Int32", "$.", "BytePositionInLine", "LineNumber", "Implicit body"];

    static async Task AssertNoFrameworkTextAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        foreach (var text in FrameworkText)
            Assert.DoesNotContain(text, body);
    }

    static async Task<JsonElement> ErrorsAsync(HttpResponseMessage response)
    {
        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        await AssertNoFrameworkTextAsync(response);
        return (await response.Json()).GetProperty("errors");
    }

    [Fact]
    public async Task StartRun_UsesTheDefaultWindow_WithNoBody_AnEmptyJsonBody_OrAnEmptyObject()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var bodies = new (string Name, HttpContent? Content)[]
        {
            ("no body", null),
            ("application/json, empty", JsonBody("")),
            ("{}", JsonBody("{}")),
        };
        foreach (var (name, content) in bodies)
        {
            var response = await ws.Http.PostAsync("/api/v1/runs", content);
            Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{name}: {await response.Content.ReadAsStringAsync()}");
            var run = await ws.Http.WaitForRunAsync(response.Headers.Location!.ToString());
            var (from, to) = (run.GetProperty("from").GetDateTime(), run.GetProperty("to").GetDateTime());
            Assert.Equal(TimeSpan.FromDays(30), to - from);
        }
    }

    public static TheoryData<string, string, string, string, string> Typos => new()
    {
        // method, path, body, the field named, the message
        { "POST", "/api/v1/runs", """{"form": "2026-10-01"}""", "form", "Unknown property; did you mean 'from'?" },
        { "POST", "/api/v1/runs", """{"calbackUrl": "https://example.com/x"}""", "calbackUrl", "did you mean 'callbackUrl'?" },
        { "POST", "/api/v1/discrepancies/1/resolution", """{"action": "resynced", "resolvedBy": "me", "nte": "x"}""", "nte", "did you mean 'note'?" },
        { "POST", "/api/v1/discrepancies/resolutions", """{"ids": [1], "action": "resynced", "resolvedBy": "me", "whatever": 1}""", "whatever", "expected one of: ids, action, note, resolvedBy" },
        { "PUT", "/api/v1/settings", """{"amountTolerence": 5}""", "amountTolerence", "did you mean 'amountTolerance'?" },
        { "PUT", "/api/v1/settings", """{"severityThresholds": {"hihg": 5}}""", "severityThresholds.hihg", "did you mean 'high'?" },
        { "POST", "/api/v1/schedules", """{"name": "n", "cron": "0 6 * * *", "windowDay": 3}""", "windowDay", "did you mean 'windowDays'?" },
        { "POST", "/api/v1/schedules", """{"name": "n", "cron": "0 6 * * *", "alerts": [{"rule": "impact_above", "thresold": 5}]}""", "alerts[0].thresold", "did you mean 'threshold'?" },
        { "PUT", "/api/v1/alert-rules", """{"rules": [{"rule": "side_silent", "hour": 4}]}""", "rules[0].hour", "did you mean 'hours'?" },
        { "POST", "/api/v1/webhooks", """{"url": "https://example.com/h", "events": ["run.failed"], "secrets": "x"}""", "secrets", "did you mean 'secret'?" },
        { "POST", "/api/v1/alerts/1/acknowledge", """{"bye": "ana"}""", "bye", "did you mean 'by'?" },
    };

    [Theory]
    [MemberData(nameof(Typos))]
    public async Task UnknownProperty_InOurOwnBodies_Is400NamingItAndWhere_AndChangesNothing(string method, string path, string body, string field, string message)
    {
        using var ws = await factory.CreateWorkspaceAsync();

        var response = await ws.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = JsonBody(body) });

        var errors = await ErrorsAsync(response);
        Assert.Contains(message, errors.GetProperty(field)[0].GetString());
        Assert.Empty((await (await ws.Http.GetAsync("/api/v1/runs")).Json()).GetProperty("items").EnumerateArray());
        Assert.Equal(0, (await (await ws.Http.GetAsync("/api/v1/settings")).Json()).GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task SettingsFromAGeneratedClient_NullForEveryFieldNotSet_TakeTheDefaults()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        // What NSwag's System.Text.Json client sends for a settings object where only the zone and one threshold were set.
        var body = """
            {
              "storeKeyPattern": null, "keapKeyPattern": null, "amountTolerance": null, "amountTolerancePercent": null,
              "dateToleranceHours": null, "timezone": "Europe/Berlin", "dateOrder": null, "settleMinutes": null,
              "fuzzyMatching": null, "fuzzyThreshold": null, "duplicateWindowMinutes": null, "storeName": null,
              "statusMap": null, "skuMap": null, "ignoreLineKinds": null, "sourceOfTruth": null,
              "severityThresholds": { "critical": null, "high": 250, "medium": null }
            }
            """;

        var response = await ws.Http.PutAsync("/api/v1/settings", JsonBody(body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var settings = (await (await ws.Http.GetAsync("/api/v1/settings")).Json()).GetProperty("settings");
        var defaults = ReconcileApi.Engine.ReconcileSettings.Default;
        Assert.Equal("Europe/Berlin", settings.Str("timezone"));
        Assert.Equal(defaults.StoreKeyPattern, settings.Str("storeKeyPattern"));
        Assert.Equal(defaults.SettleMinutes, settings.GetProperty("settleMinutes").GetInt32());
        Assert.Equal(defaults.FuzzyMatching, settings.GetProperty("fuzzyMatching").GetBoolean());
        Assert.Equal(["shipping", "tax", "discount"], settings.GetProperty("ignoreLineKinds").EnumerateArray().Select(k => k.GetString()));
        Assert.Equal("store", settings.GetProperty("sourceOfTruth").Str("total"));
        Assert.Equal(defaults.SeverityThresholds.Critical, settings.GetProperty("severityThresholds").GetProperty("critical").GetDecimal());
        Assert.Equal(250m, settings.GetProperty("severityThresholds").GetProperty("high").GetDecimal());
    }

    [Fact]
    public async Task AScheduleWithNullOptionals_TakesTheDefaults_ButANullRequiredFieldIsStillNamed()
    {
        using var ws = await factory.CreateWorkspaceAsync();

        var created = await ws.Http.PostAsync("/api/v1/schedules", JsonBody(
            """{"name": "Nightly", "cron": "0 6 * * *", "timezone": null, "windowDays": null, "enabled": null, "alerts": null}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var schedule = await created.Json();
        Assert.Equal(ReconcileApi.Features.Schedules.ScheduleRequest.DefaultWindowDays, schedule.GetProperty("windowDays").GetInt32());
        Assert.True(schedule.GetProperty("enabled").GetBoolean());

        var errors = await ErrorsAsync(await ws.Http.PostAsync("/api/v1/schedules", JsonBody(
            """{"windowDays": null, "name": "Nightly", "cron": null}""")));
        Assert.True(errors.TryGetProperty("cron", out _));
    }

    [Fact]
    public async Task AValueOfTheWrongKind_BesideNullsLeftOut_IsStillNamed()
    {
        using var ws = await factory.CreateWorkspaceAsync();

        var response = await ws.Http.PostAsync("/api/v1/schedules", JsonBody(
            "{\n  \"windowDays\": null,\n  \"name\": \"n\", \"cron\": \"0 6 * * *\",\n  \"enabled\": \"yes please\"\n}"));

        var errors = await ErrorsAsync(response);
        Assert.StartsWith("Must be true or false.", errors.GetProperty("enabled")[0].GetString());
    }

    JsonSerializerOptions ServiceJson =>
        factory.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;

    [Theory]
    [InlineData("""{"windowDays": null}""", "")]
    [InlineData("""{"name": "n", "windowDays": null}""", "name")]
    [InlineData("""{"windowDays": null, "enabled": null, "name": "n", "cron": "x"}""", "name,cron")]
    [InlineData("{\n \"name\": \"n\",\n \"windowDays\": null\n}", "name")]
    [InlineData("""{"name": "n", "alerts": [{"rule": "impact_above", "threshold": 5}], "enabled": null}""", "name,alerts")]
    public void NullsLeftOut_AreBlanked_KeepingTheBodysLengthAndLines(string body, string kept)
    {
        var options = ServiceJson;

        var cleared = JsonBodies.WithoutNullsLeftOut(System.Text.Encoding.UTF8.GetBytes(body), typeof(ReconcileApi.Features.Schedules.ScheduleRequest), options);

        Assert.NotNull(cleared);
        Assert.Equal(body.Length, cleared.Length);
        Assert.Equal(body.Count(c => c == '\n'), cleared.Count(b => b == (byte)'\n'));
        using var document = JsonDocument.Parse(cleared);
        Assert.Equal(kept, string.Join(',', document.RootElement.EnumerateObject().Select(p => p.Name)));
    }

    [Theory]
    [InlineData("""{"name": "n", "cron": null}""")] // required: its null stays, and its error
    [InlineData("""{"timezone": null, "alerts": null}""")] // may be null
    [InlineData("""{"alerts": [{"rule": "impact_above", "hours": null}]}""")] // may be null, one level down
    [InlineData("""{"windowDays": null, "windowDays": 3}""")] // twice: the validation filter says so
    [InlineData("""{"windowDays": null""")] // not JSON: the binder says where
    [InlineData("""{"windowDays": 3}""")]
    public void ABodyWithNoNullToLeaveOut_IsLeftAsSent(string body)
    {
        var options = ServiceJson;
        Assert.Null(JsonBodies.WithoutNullsLeftOut(System.Text.Encoding.UTF8.GetBytes(body), typeof(ReconcileApi.Features.Schedules.ScheduleRequest), options));
    }

    [Fact]
    public async Task UnknownProperty_InTheAdminWorkspaceBody_Is400()
    {
        using var admin = factory.CreateAdminClient();
        var errors = await ErrorsAsync(await admin.PostAsync("/api/v1/admin/workspaces", JsonBody("""{"name": "x", "timezon": "UTC"}""")));
        Assert.Equal("Unknown property; did you mean 'timezone'?", errors.GetProperty("timezon")[0].GetString());
    }

    [Fact]
    public async Task VendorAndCanonicalOrders_StayLenient_AboutPropertiesTheyDoNotRead()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var order = Order("A");
        order["somethingElse"] = "kept out, not refused";
        var receipt = await ws.Http.IngestAsync("store", new[] { order });
        Assert.Equal(1, receipt.GetProperty("inserted").GetInt32());
    }

    public static TheoryData<string, string, string, string, string> WrongKinds => new()
    {
        { "POST", "/api/v1/runs", """{"from": "yesterday"}""", "from", "Must be a date like 2026-11-01T00:00:00Z." },
        { "POST", "/api/v1/runs", """{"label": 12}""", "label", "Must be text." },
        { "POST", "/api/v1/schedules", """{"name": "n", "cron": "0 6 * * *", "windowDays": "seven"}""", "windowDays", "Must be a whole number." },
        { "POST", "/api/v1/schedules", """{"name": "n", "cron": "0 6 * * *", "enabled": "yes please"}""", "enabled", "Must be true or false." },
        { "POST", "/api/v1/schedules", """{"name": "n", "cron": "0 6 * * *", "alerts": [{"rule": "impact_above", "threshold": "lots"}]}""", "alerts[0].threshold", "Must be a number." },
        { "POST", "/api/v1/schedules", """{"name": "n", "cron": "0 6 * * *", "alerts": [{"rule": "sometimes"}]}""", "alerts[0].rule", "Must be one of: match_rate_below, impact_above" },
        { "POST", "/api/v1/discrepancies/resolutions", """{"ids": [1, "two"], "action": "resynced", "resolvedBy": "me"}""", "ids[1]", "Must be a whole number." },
        { "POST", "/api/v1/discrepancies/resolutions", """{"ids": 1, "action": "resynced", "resolvedBy": "me"}""", "ids", "Must be a list" },
        { "PUT", "/api/v1/settings", """{"statusMap": {"store": {"x": "sort_of"}}}""", "statusMap.store.x", "Must be one of: draft, unpaid" },
    };

    [Theory]
    [MemberData(nameof(WrongKinds))]
    public async Task AValueOfTheWrongKind_Is400NamingTheFieldAndWhatItMustBe(string method, string path, string body, string field, string message)
    {
        using var ws = await factory.CreateWorkspaceAsync();

        var response = await ws.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = JsonBody(body) });

        var errors = await ErrorsAsync(response);
        Assert.StartsWith(message, errors.GetProperty(field)[0].GetString());
    }

    public static TheoryData<string, string, string, string> ControlCharacters => new()
    {
        // path, body, the field named, the character named
        { "/api/v1/runs", """{"label": "\u0000x"}""", "label", "U+0000 at position 1" },
        { "/api/v1/discrepancies/1/resolution", """{"action": "resynced", "resolvedBy": "x\u0007"}""", "resolvedBy", "U+0007 at position 2" },
        { "/api/v1/discrepancies/1/resolution", """{"action": "resynced", "resolvedBy": "ana\n"}""", "resolvedBy", "U+000A at position 4" },
        { "/api/v1/discrepancies/resolutions", """{"ids": [1], "action": "resynced", "resolvedBy": "me", "note": "a\u001bb"}""", "note", "U+001B at position 2) other than a tab or a line break" },
        { "/api/v1/schedules", """{"name": "n\u0085", "cron": "0 6 * * *"}""", "name", "U+0085 at position 2" },
        { "/api/v1/alerts/1/acknowledge", """{"by": "ana\r"}""", "by", "U+000D at position 4" },
        { "/api/v1/webhooks", """{"url": "https://example.com/\u007f", "events": ["run.succeeded"]}""", "url", "U+007F at position 21" },
    };

    [Theory]
    [MemberData(nameof(ControlCharacters))]
    public async Task AControlCharacter_InAFreeTextField_Is400NamingTheFieldAndTheCharacter(string path, string body, string field, string character)
    {
        using var ws = await factory.CreateWorkspaceAsync();

        var errors = await ErrorsAsync(await ws.Http.PostAsync(path, JsonBody(body)));

        var message = errors.GetProperty(field)[0].GetString()!;
        Assert.StartsWith("Holds a control character (", message);
        Assert.Contains(character, message);
    }

    [Fact]
    public async Task AControlCharacter_InAWorkspaceName_Is400_AndANotesTabsAndLineBreaksAreKept()
    {
        using var admin = factory.CreateAdminClient();
        var errors = await ErrorsAsync(await admin.PostAsync("/api/v1/admin/workspaces", JsonBody("""{"name": "Acme\u0000"}""")));
        Assert.Contains("U+0000", errors.GetProperty("name")[0].GetString());

        // A note is prose: past validation, to the handler (no such discrepancy).
        using var ws = await factory.CreateWorkspaceAsync();
        var response = await ws.Http.PostAsync("/api/v1/discrepancies/1/resolution", JsonBody("""{"action": "resynced", "resolvedBy": "me", "note": "line 1\r\n\tline 2"}"""));
        await response.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("/api/v1/runs", """{"label": "a\ud800b"}""", "label")]
    [InlineData("/api/v1/schedules", """{"name": "n", "cron": "0 6 * * *", "alerts": [{"rule": "run_failed"}], "timezone": "\udc00"}""", "timezone")]
    public async Task ALoneSurrogate_IsNamedAsInvalidText(string path, string body, string field)
    {
        using var ws = await factory.CreateWorkspaceAsync();

        var errors = await ErrorsAsync(await ws.Http.PostAsync(path, JsonBody(body)));

        Assert.Equal("Is not valid text: it holds a lone UTF-16 surrogate (an unpaired \\ud800–\\udfff escape).", errors.GetProperty(field)[0].GetString());
    }

    [Fact]
    public async Task ATooLongRunLabel_SaysHowLongItIsAndWhatIsKept()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var errors = await ErrorsAsync(await ws.Http.PostAsJsonAsync("/api/v1/runs", new { label = new string('x', 201) }));
        Assert.Equal("Holds 201 characters; at most 200 are kept.", errors.GetProperty("label")[0].GetString());
    }

    [Theory]
    [InlineData("/api/v1/discrepancies?since=yesterday", "since", "Must be a date like 2026-11-01T00:00:00Z.")]
    [InlineData("/api/v1/discrepancies?limit=abc", "limit", "Must be a whole number.")]
    [InlineData("/api/v1/runs?limit=abc", "limit", "Must be a whole number.")]
    [InlineData("/api/v1/alerts?limit=ten", "limit", "Must be a whole number.")]
    public async Task AQueryParameterOfTheWrongKind_Is400NamingIt(string path, string field, string message)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var errors = await ErrorsAsync(await ws.Http.GetAsync(path));
        Assert.Equal(message, errors.GetProperty(field)[0].GetString());
    }

    [Theory]
    [InlineData("/api/v1/discrepancies", "?limit=&since=&excel=&scheduleId=&state=&category=&sort=&cursor=&format=")]
    [InlineData("/api/v1/discrepancies", "?limit=%20&since=%20%20&excel=+")]
    [InlineData("/api/v1/runs", "?limit=&scheduleId=&status=&cursor=")]
    [InlineData("/api/v1/alerts", "?limit=&status=&cursor=")]
    [InlineData("/api/v1/sources/store/orders", "?since=&limit=&orderKey=&email=&cursor=")]
    [InlineData("/api/v1/metrics/daily", "?from=&to=%20")]
    public async Task AnEmptyOptionalQueryParameter_IsTheSameAsLeavingItOut(string path, string query)
    {
        // Make and Zapier send every mapped field, empty where nothing was mapped.
        using var ws = await factory.CreateWorkspaceAsync();
        await ws.Http.RunAsync();

        var response = await ws.Http.GetAsync(path + query);

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var leftOut = await (await ws.Http.GetAsync(path)).Content.ReadAsStringAsync();
        Assert.Equal(leftOut, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/api/v1/runs?limit=1&limit=2", "limit")]
    [InlineData("/api/v1/discrepancies?limit=1&limit=2", "limit")]
    [InlineData("/api/v1/discrepancies?since=2026-11-01&since=2026-11-02", "since")]
    public async Task ARepeatedQueryParameter_Is400SayingSo(string path, string field)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var errors = await ErrorsAsync(await ws.Http.GetAsync(path));
        Assert.Equal("Is given more than once; send it once.", errors.GetProperty(field)[0].GetString());
    }

    /// <summary>
    /// FluentValidation's default messages name the .NET property ("'Limit' must be between 1 and 100. You entered 0."):
    /// every rule of every registered validator says what is wrong in the project's words, the field being the error's key.
    /// A message built from the request (WithMessage(r => …)) is written for it and cannot be read without one.
    /// </summary>
    [Fact]
    public void EveryValidatorRule_HasTheProjectsWording_NoPropertyNameOrYouEntered()
    {
        var offenders = new List<string>();
        foreach (var found in FluentValidation.AssemblyScanner.FindValidatorsInAssemblyContaining<ValidationFilter>())
        {
            var validator = (FluentValidation.IValidator)factory.Services.GetRequiredService(found.InterfaceType);
            foreach (var rule in validator.CreateDescriptor().Rules)
            {
                foreach (var component in rule.Components)
                {
                    string message;
                    try
                    {
                        message = component.GetUnformattedErrorMessage();
                    }
                    catch (NullReferenceException)
                    {
                        continue;
                    }
                    // Custom rules (Custom, CustomAsync, TextRules.Text) add failures with their own messages; FluentValidation builds
                    // them on a predicate that always holds, whose default message is never shown. (A Must without WithMessage is
                    // therefore not caught here: the predicate's default reads the same.)
                    if (component.Validator.Name is "PredicateValidator" or "AsyncPredicateValidator" && message.StartsWith("The specified condition was not met", StringComparison.Ordinal))
                        continue;
                    var property = rule.PropertyName is { Length: > 0 } name && char.IsUpper(name[0])
                        && System.Text.RegularExpressions.Regex.IsMatch(message, $@"\b{System.Text.RegularExpressions.Regex.Escape(name)}\b");
                    if (property || message.Contains("{PropertyName}") || message.Contains("{PropertyValue}") || message.Contains("You entered"))
                        offenders.Add($"{found.ValidatorType.Name} {rule.PropertyName} ({component.Validator.Name}): {message}");
                }
            }
        }
        Assert.True(offenders.Count == 0, string.Join(Environment.NewLine, offenders));
    }

    [Fact]
    public void TheWebhookDeliveriesLimit_SaysItsRangeAsEveryList()
    {
        var result = new ReconcileApi.Features.Webhooks.DeliveriesQueryValidator().Validate(new ReconcileApi.Features.Webhooks.DeliveriesQuery(0));
        Assert.Equal("Must be between 1 and 100.", Assert.Single(result.Errors).ErrorMessage);
    }

    [Fact]
    public async Task MalformedJson_Is400WithLineAndPosition_InPlainWords()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var response = await ws.Http.PostAsync("/api/v1/runs", JsonBody("{\n  \"label\": \"x\",\n  \"from\": 12"));
        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "not valid JSON at line 3");
        await AssertNoFrameworkTextAsync(response);
        Assert.Equal(3, (await response.Json()).GetProperty("line").GetInt32());
    }

    [Fact]
    public async Task ABodyThatIsRequiredButMissing_Is400SayingSo()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var response = await ws.Http.PostAsync("/api/v1/schedules", null);
        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "needs a JSON body");
        await AssertNoFrameworkTextAsync(response);
    }

    [Fact]
    public async Task AnotherContentType_Is415SayingWhatToSend()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var response = await ws.Http.PostAsync("/api/v1/schedules", JsonBody("""{"name": "n"}""", "text/plain"));
        await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType, "is not supported");
        await AssertNoFrameworkTextAsync(response);
    }

    [Theory]
    [InlineData("/api/v1/sources/store/orders", "send application/json, text/csv, ")]
    [InlineData("/api/v1/runs", "send application/json.")]
    [InlineData("/api/v1/schedules", "send application/json.")]
    public async Task AFormPost_Is415NamingWhatToSend_AndHowZapierOrCurlSentAForm(string path, string send)
    {
        // Zapier's Webhooks POST sends a form unless its Payload Type is json; curl -d does unless told the type.
        using var ws = await factory.CreateWorkspaceAsync();
        var response = await ws.Http.PostAsync(path, new FormUrlEncodedContent([new("order_id", "1001"), new("total", "10.00")]));
        await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType, send);
        var detail = (await response.Json()).GetProperty("detail").GetString()!;
        Assert.Contains("Content-Type 'application/x-www-form-urlencoded' is not supported", detail);
        Assert.Contains("in Zapier's Webhooks POST set Payload Type to json", detail);
        await AssertNoFrameworkTextAsync(response);
    }

    [Fact]
    public async Task IdempotencyKeyInTheBody_IsHonouredOnEveryWrite_TheHeaderWins_AndAnotherBodyIs422()
    {
        using var ws = await factory.CreateWorkspaceAsync();

        var first = await ws.Http.PostAsync("/api/v1/runs", JsonBody("""{"label": "a", "idempotencyKey": "zap-run-1"}"""));
        var replay = await ws.Http.PostAsync("/api/v1/runs", JsonBody("""{"label": "a", "idempotencyKey": "zap-run-1"}"""));
        var other = await ws.Http.PostAsync("/api/v1/runs", JsonBody("""{"label": "b", "idempotencyKey": "zap-run-1"}"""));
        var withHeader = new HttpRequestMessage(HttpMethod.Post, "/api/v1/runs") { Content = JsonBody("""{"label": "a", "idempotencyKey": "zap-run-1"}""") };
        withHeader.Headers.Add(Idempotency.Header, "header-key");
        var headerWins = await ws.Http.SendAsync(withHeader);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal("true", replay.Headers.GetValues(Idempotency.ReplayedHeader).Single());
        Assert.Equal((await first.Json()).GetProperty("id").GetGuid(), (await replay.Json()).GetProperty("id").GetGuid());
        await other.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "zap-run-1");
        Assert.Equal(HttpStatusCode.Accepted, headerWins.StatusCode);
        Assert.False(headerWins.Headers.Contains(Idempotency.ReplayedHeader));
        Assert.Equal(2, (await (await ws.Http.GetAsync("/api/v1/runs")).Json()).GetProperty("items").GetArrayLength());

        var settings = """{"amountTolerance": 5, "idempotencyKey": "zap-settings-1"}""";
        var put = await ws.Http.PutAsync("/api/v1/settings", JsonBody(settings));
        var putAgain = await ws.Http.PutAsync("/api/v1/settings", JsonBody(settings));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal("true", putAgain.Headers.GetValues(Idempotency.ReplayedHeader).Single());
        Assert.Equal(1, (await (await ws.Http.GetAsync("/api/v1/settings")).Json()).GetProperty("version").GetInt32());

        var webhook = """{"url": "https://example.com/h", "events": ["run.failed"], "idempotencyKey": "zap-hook-1"}""";
        var created = await (await ws.Http.PostAsync("/api/v1/webhooks", JsonBody(webhook))).Json();
        var createdAgain = await ws.Http.PostAsync("/api/v1/webhooks", JsonBody(webhook));
        Assert.Equal("true", createdAgain.Headers.GetValues(Idempotency.ReplayedHeader).Single());
        Assert.Equal(created.GetProperty("id").GetGuid(), (await createdAgain.Json()).GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task ABatchWhoseEveryOrderIsRejected_Is422WithTheReceipt_AndTheBatchIsStillStored()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        const string Body = """[{"orderNumber": "#1", "total": "10"}, {"orderId": "B", "total": "ten"}]""";
        HttpRequestMessage Post()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/sources/store/orders") { Content = JsonBody(Body) };
            request.Headers.Add(Idempotency.Header, "all-rejected");
            return request;
        }

        var response = await ws.Http.SendAsync(Post());

        await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "Every order of the batch was rejected");
        var problem = await response.Json();
        Assert.Equal(422, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("type").GetString()));
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        Assert.Equal((2, 2, 0), (problem.GetProperty("received").GetInt32(), problem.GetProperty("rejected").GetInt32(), problem.GetProperty("inserted").GetInt32()));
        Assert.Equal("canonical", problem.GetProperty("format").GetString());
        Assert.Equal(["orderId", "total"], problem.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString()));
        var batchId = problem.GetProperty("batchId").GetGuid();
        Assert.Equal($"/api/v1/batches/{batchId}", response.Headers.Location!.ToString());
        var batch = await (await ws.Http.GetAsync(response.Headers.Location)).Json();
        Assert.Equal(2, batch.GetProperty("rejected").GetInt32());
        Assert.Equal(2, batch.GetProperty("rejectedRecords").GetArrayLength());

        var replay = await ws.Http.SendAsync(Post());
        await replay.AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal("true", replay.Headers.GetValues(Idempotency.ReplayedHeader).Single());
        Assert.Equal(batchId, (await replay.Json()).GetProperty("batchId").GetGuid());
        Assert.Equal(response.Headers.Location, replay.Headers.Location);

        // One order stored is a 201 as before.
        var mixed = await ws.Http.PostAsync("/api/v1/sources/store/orders", JsonBody("""[{"orderId": "C", "total": "10"}, {"orderId": "D", "total": "ten"}]"""));
        Assert.Equal(HttpStatusCode.Created, mixed.StatusCode);
    }

    static async Task<string?> StoredDateAsync(WorkspaceClient ws, string orderId) =>
        (await (await ws.Http.GetAsync($"/api/v1/sources/store/orders/{orderId}")).Json()).GetProperty("order").GetProperty("orderDate").GetString();

    [Fact]
    public async Task AnAmbiguousDate_IsRejectedNamingOrderDate_UnlessTheRequestOrTheWorkspaceNamesADateOrder()
    {
        using var ws = await factory.CreateWorkspaceAsync();

        var ambiguous = await ws.Http.PostAsync("/api/v1/sources/store/orders", JsonBody("""[{"orderId": "A", "total": 10, "orderDate": "05/06/2026"}]"""));
        await ambiguous.AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        var error = Assert.Single((await ambiguous.Json()).GetProperty("errors").EnumerateArray());
        Assert.Equal("orderDate", error.GetProperty("field").GetString());
        Assert.Contains("ISO 8601", error.GetProperty("message").GetString());
        Assert.Contains("dateOrder", error.GetProperty("message").GetString());

        // Unambiguous ones read as before.
        await ws.Http.IngestAsync("store", new[] { new { orderId = "B", total = 10, orderDate = "13/06/2026" }, new { orderId = "C", total = 10, orderDate = "2026-06-05T00:00:00Z" } });
        Assert.StartsWith("2026-06-13", await StoredDateAsync(ws, "B"));

        Assert.Equal(HttpStatusCode.Created, (await ws.Http.PostAsync("/api/v1/sources/store/orders?dateOrder=dmy", JsonBody("""[{"orderId": "D", "total": 10, "orderDate": "05/06/2026"}]"""))).StatusCode);
        Assert.StartsWith("2026-06-05", await StoredDateAsync(ws, "D"));
        Assert.Equal(HttpStatusCode.Created, (await ws.Http.PostAsync("/api/v1/sources/store/orders?dateOrder=mdy", JsonBody("""[{"orderId": "E", "total": 10, "orderDate": "05/06/2026"}]"""))).StatusCode);
        Assert.StartsWith("2026-05-06", await StoredDateAsync(ws, "E"));
        await (await ws.Http.PostAsync("/api/v1/sources/store/orders?dateOrder=ymd", JsonBody("[]"))).AssertProblemAsync(HttpStatusCode.BadRequest, "dateOrder");

        // CSV too, and the workspace's setting when the request names none.
        var csv = await ws.Http.PostAsync("/api/v1/sources/store/orders", JsonBody("orderId,total,orderDate\nF,10,05/06/2026\n", "text/csv"));
        await csv.AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("dateOrder", (await csv.Json()).GetProperty("errors")[0].GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.OK, (await ws.Http.PutAsync("/api/v1/settings", JsonBody("""{"dateOrder": "dmy"}"""))).StatusCode);
        Assert.Equal("dmy", (await (await ws.Http.GetAsync("/api/v1/settings")).Json()).GetProperty("settings").GetProperty("dateOrder").GetString());
        Assert.Equal(HttpStatusCode.Created, (await ws.Http.PostAsync("/api/v1/sources/store/orders", JsonBody("orderId,total,orderDate\nF,10,05/06/2026\n", "text/csv"))).StatusCode);
        Assert.StartsWith("2026-06-05", await StoredDateAsync(ws, "F"));

        var errors = await ErrorsAsync(await ws.Http.PutAsync("/api/v1/settings", JsonBody("""{"dateOrder": "ymd"}""")));
        Assert.Equal("Must be one of: dmy, mdy.", errors.GetProperty("dateOrder")[0].GetString());
    }
}
