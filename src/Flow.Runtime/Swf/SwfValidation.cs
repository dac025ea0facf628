using System.Text;

namespace Flow.Swf;

/// <summary>
/// Checks a request against the API model's limits before anything is sent, so an oversized
/// payload or a missing field is a local <see cref="ArgumentException"/> naming the field, not a
/// round trip that SWF rejects (or, worse, a decision task that silently times out).
/// </summary>
internal static class SwfValidation
{
    public static string Join(string path, string member) => path.Length == 0 ? member : path + "." + member;

    public static void Required(string? value, string path, string member)
    {
        if (string.IsNullOrEmpty(value))
            throw new ArgumentException($"{Join(path, member)} is required.", Join(path, member));
    }

    /// <summary>A required member that the JSON a request was read from left out (its C# default would pass for a value).</summary>
    public static void Given(uint absent, uint bit, string path, string member)
    {
        if ((absent & bit) != 0)
            throw new ArgumentException($"{Join(path, member)} is required.", Join(path, member));
    }

    /// <summary>A member the model requires, or a list's element, that JSON may still have set to null.</summary>
    public static T Present<T>(T? value, string path, string member) where T : class =>
        value ?? throw new ArgumentException($"{Join(path, member)} is required.", Join(path, member));

    public static void Length(string? value, string path, string member, int min, int max)
    {
        if (value is null)
            return;
        if (value.Length > max)
            throw new ArgumentException(
                $"{Join(path, member)} is {value.Length} characters long; SWF allows at most {max}.", Join(path, member));
        if (value.Length < min)
            throw new ArgumentException(
                $"{Join(path, member)} is {value.Length} characters long; SWF requires at least {min}.", Join(path, member));
    }

    /// <summary>SWF's rule for names and ids (domains, types, task lists, workflow, activity and timer ids):
    /// no ':', '/', '|' or control character (U+0000–U+001F, U+007F–U+009F), and not the literal "arn".</summary>
    public static void Name(string? value, string path, string member)
    {
        if (value is null)
            return;
        if (value == "arn")
            throw new ArgumentException($"{Join(path, member)} must not be the literal string arn.", Join(path, member));
        foreach (char c in value)
        {
            if (c is ':' or '/' or '|' or <= '\u001f' or (>= '\u007f' and <= '\u009f'))
                throw new ArgumentException(
                    $"{Join(path, member)} contains {(char.IsControl(c) ? $"the control character U+{(int)c:X4}" : $"'{c}'")}; SWF names hold no ':', '/', '|' or control characters.",
                    Join(path, member));
        }
    }

    /// <summary>SWF's rule for tags: Unicode letters, digits, whitespace and <c>_ . : / = + - @</c> only.</summary>
    public static void Tag(string? value, string path, string member)
    {
        if (value is null)
            return;
        foreach (var rune in value.EnumerateRunes())
        {
            if (!Rune.IsLetter(rune) && !Rune.IsDigit(rune) && !Rune.IsWhiteSpace(rune) && !(rune.IsAscii && "_.:/=+-@".Contains((char)rune.Value)))
                throw new ArgumentException(
                    $"{Join(path, member)} must hold only letters, digits, whitespace and _ . : / = + - @, not '{rune}'.", Join(path, member));
        }
    }

    /// <summary>A task priority: a 32-bit integer, written in decimal.</summary>
    public static void Priority(string? value, string path, string member)
    {
        if (value is not null && !int.TryParse(value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out _))
            throw new ArgumentException(
                $"{Join(path, member)} is '{value}'; a task priority is an integer from {int.MinValue} to {int.MaxValue}.", Join(path, member));
    }

    public static void Range(long? value, string path, string member, long min, long max)
    {
        if (value is { } v && (v < min || v > max))
            throw new ArgumentException($"{Join(path, member)} is {v}; SWF allows {min} to {max}.", Join(path, member));
    }

    public static void Count<T>(List<T>? value, string path, string member, int max)
    {
        if (value is not null && value.Count > max)
            throw new ArgumentException(
                $"{Join(path, member)} has {value.Count} entries; SWF allows at most {max}.", Join(path, member));
    }
}
