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

    /// <summary>
    /// A list filter (<c>?state=open,resolved</c>) as every list reads it: empty entries are ignored (<c>open,,</c> is
    /// <c>open</c>), and a list with none left is null, the same as the parameter left out (as an empty parameter is,
    /// <see cref="EmptyQuery"/>); no-code tools send an unmapped filter empty, and it must not match nothing. An
    /// unknown entry is an error on <paramref name="field"/> naming it.
    /// </summary>
    public static List<T>? ParseList<T>(string? text, string field, Dictionary<string, string[]> errors) where T : struct, Enum
    {
        var values = new List<T>();
        foreach (var part in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (TryParse<T>(part, out var value))
                values.Add(value);
            else
                errors[field] = [$"'{part}' is not one of: {Names<T>()}."];
        }
        return values.Count > 0 ? values : null;
    }
}
