using System.Text.Json;
using ReconcileApi.Engine;

namespace ReconcileApi.Engine.Tests;

/// <summary>Enum values go out as snake_case and come back in any case, or by their C# names, as generated clients write them.</summary>
public sealed class WireEnumTests
{
    [Theory]
    [InlineData("\"partially_paid\"")]
    [InlineData("\"Partially_paid\"")] // NSwag's System.Text.Json clients
    [InlineData("\"PARTIALLY_PAID\"")]
    [InlineData("\"PartiallyPaid\"")]
    [InlineData("\" partially_paid \"")]
    public void Read_TakesTheWireNameInAnyCase(string json) =>
        Assert.Equal(PaymentState.PartiallyPaid, JsonSerializer.Deserialize<PaymentState>(json));

    [Theory]
    [InlineData("\"partially paid\"")]
    [InlineData("\"mars\"")]
    [InlineData("2")]
    [InlineData("\"2\"")]
    [InlineData("null")]
    public void Read_RefusesAnythingElse(string json) =>
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<PaymentState>(json));

    [Fact]
    public void Write_GivesTheSnakeCaseName()
    {
        Assert.Equal("\"partially_paid\"", JsonSerializer.Serialize(PaymentState.PartiallyPaid));
        Assert.Equal("""{"partially_paid":1}""", JsonSerializer.Serialize(new Dictionary<PaymentState, int> { [PaymentState.PartiallyPaid] = 1 }));
    }

    [Fact]
    public void MapKeys_AreReadInAnyCase() =>
        Assert.Equal(PaymentState.Refunded, Assert.Single(JsonSerializer.Deserialize<Dictionary<PaymentState, int>>("""{"Refunded": 1}""")!).Key);
}
