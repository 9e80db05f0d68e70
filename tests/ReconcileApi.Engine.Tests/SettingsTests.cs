using System.Text.Json;
using ReconcileApi.Engine;

namespace ReconcileApi.Engine.Tests;

public sealed class SettingsTests
{
    [Fact]
    public void Defaults_AreValid() => Assert.Empty(ReconcileSettings.Default.Validate());

    public static TheoryData<string, string> InvalidCases => new()
    {
        { "storeKeyPattern", """{"storeKeyPattern": "(unclosed"}""" },
        { "keapKeyPattern", """{"keapKeyPattern": "#(\\d+)-(\\d+)"}""" },
        { "keapKeyPattern", """{"keapKeyPattern": "\\d+"}""" },
        { "keapKeyPattern", """{"keapKeyPattern": "(?<=#)(\\d+)"}""" },
        { "storeKeyPattern", """{"storeKeyPattern": "(\\d)\\1"}""" },
        { "storeKeyPattern", """{"storeKeyPattern": "(?>#)(\\d+)"}""" },
        { "amountTolerance", """{"amountTolerance": -0.01}""" },
        { "amountTolerancePercent", """{"amountTolerancePercent": -1}""" },
        { "dateToleranceHours", """{"dateToleranceHours": -2}""" },
        { "timezone", """{"timezone": "Mars/Olympus_Mons"}""" },
        { "timezone", """{"timezone": "../../etc/passwd"}""" },
        { "timezone", """{"timezone": ""}""" },
        { "dateToleranceHours", """{"dateToleranceHours": 1e12}""" },
        { "settleMinutes", """{"settleMinutes": -5}""" },
        { "fuzzyThreshold", """{"fuzzyThreshold": 1.5}""" },
        { "skuMap", """{"skuMap": {"A": " "}}""" },
        { "sourceOfTruth.colour", """{"sourceOfTruth": {"colour": "store"}}""" },
        { "severityThresholds", """{"severityThresholds": {"critical": 10, "high": 100, "medium": 1}}""" },
    };

    [Theory]
    [MemberData(nameof(InvalidCases))]
    public void Validate_NamesTheInvalidField(string field, string json)
    {
        var settings = JsonSerializer.Deserialize<ReconcileSettings>(json, JsonSerializerOptions.Web)!;

        var error = Assert.Single(settings.Validate());
        Assert.Equal(field, error.Field);
    }

    [Fact]
    public void Reconcile_Throws_WhenSettingsAreInvalid() =>
        Assert.Throws<ArgumentException>(() => Orders.Reconcile([], [], ReconcileSettings.Default with { Timezone = "Nowhere/Else" }));

    [Fact]
    public void Settings_RoundTripThroughJson_WithSnakeCaseEnums()
    {
        var settings = ReconcileSettings.Default with
        {
            Timezone = "Europe/Berlin",
            StatusMap = new Dictionary<OrderSource, IReadOnlyDictionary<string, PaymentState>> { [OrderSource.Store] = new Dictionary<string, PaymentState> { ["on-hold"] = PaymentState.PartiallyPaid } },
        };

        var json = JsonSerializer.Serialize(settings, JsonSerializerOptions.Web);
        var back = JsonSerializer.Deserialize<ReconcileSettings>(json, JsonSerializerOptions.Web)!;

        Assert.Contains("\"partially_paid\"", json);
        Assert.Contains("\"ignoreLineKinds\":[\"shipping\",\"tax\",\"discount\"]", json);
        Assert.Equal(PaymentState.PartiallyPaid, back.StatusMap[OrderSource.Store]["on-hold"]);
        Assert.Equal(settings.SeverityThresholds, back.SeverityThresholds);
        Assert.Empty(back.Validate());
    }
}
