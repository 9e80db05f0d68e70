namespace ReconcileApi.Infrastructure;

/// <summary>Enum values as they appear on the wire (snake_case), read as JSON bodies read them (<see cref="SnakeCaseEnumConverter{TEnum}"/>).</summary>
public static class WireEnum
{
    public static string Name<T>(T value) where T : struct, Enum => SnakeCaseEnumConverter<T>.WireName(value);

    public static bool TryParse<T>(string? text, out T value) where T : struct, Enum => SnakeCaseEnumConverter<T>.TryParse(text, out value);

    public static T Parse<T>(string text) where T : struct, Enum =>
        TryParse<T>(text, out var value) ? value : throw new FormatException($"'{text}' is not a {typeof(T).Name}.");

    public static string Names<T>() where T : struct, Enum => string.Join(", ", Values<T>());

    public static IReadOnlyList<string> Values<T>() where T : struct, Enum => Enum.GetValues<T>().Select(Name).ToList();
}
