using System.Buffers;
using FluentValidation;

namespace ReconcileApi.Infrastructure;

/// <summary>
/// What text the API keeps may hold: at most a length, and no control character (U+0000–U+001F, U+007F–U+009F). Nobody
/// types one; kept, it is a raw byte in a CSV export, a log line and whatever a webhook or a no-code tool copies the text
/// into. Prose (a note, a customer's name) may hold tabs and line breaks. Orders and every request body use this one rule.
/// </summary>
public static class TextRules
{
    static readonly SearchValues<char> Controls = SearchValues.Create([.. Enumerable.Range(0, 0x20).Concat(Enumerable.Range(0x7F, 0x21)).Select(c => (char)c)]);
    static readonly SearchValues<char> ControlsButLineBreaks = SearchValues.Create([.. Enumerable.Range(0, 0x20).Concat(Enumerable.Range(0x7F, 0x21)).Select(c => (char)c).Where(c => c is not ('\t' or '\n' or '\r'))]);

    /// <summary>What is wrong with the text, or null: too long, or a control character (in prose, one other than a tab or a line break).</summary>
    public static string? Problem(string? value, int maxLength, bool prose = false)
    {
        if (value is null)
            return null;
        if (value.Length > maxLength)
            return $"Holds {value.Length:N0} characters; at most {maxLength:N0} are kept.";
        var at = value.AsSpan().IndexOfAny(prose ? ControlsButLineBreaks : Controls);
        return at < 0 ? null
            : $"Holds a control character (U+{(int)value[at]:X4} at position {at + 1}){(prose ? " other than a tab or a line break" : "")}; send it without.";
    }

    /// <summary>
    /// The text's first <paramref name="max"/> UTF-16 units, whole characters only: never the first half of a character beyond
    /// the BMP (an emoji), which would be stored as U+FFFD.
    /// </summary>
    public static string Cut(string text, int max) =>
        text.Length <= max ? text : text[..(char.IsHighSurrogate(text[max - 1]) ? max - 1 : max)];

    /// <summary>The rule of a free-text field of a request body: <see cref="Problem"/> is its error.</summary>
    public static IRuleBuilderOptionsConditions<T, TText> Text<T, TText>(this IRuleBuilder<T, TText> rule, int maxLength, bool prose = false)
        where TText : IEquatable<string>? =>
        rule.Custom((value, context) =>
        {
            if (Problem(value as string, maxLength, prose) is { } problem)
                context.AddFailure(problem);
        });
}
