using System.Globalization;
using System.Text;

namespace Flow.Workers;

/// <summary>
/// How an exception travels to SWF: reason = the exception's type name (≤ 256 characters), details = JSON
/// <c>{"type","bases","message","stack"}</c> (≤ 32,768 characters). "bases" lists the full names of the exception's base
/// types, nearest first, down to System.Exception, so a retry policy can match a listed type's subclasses; it is left out
/// when there are none to tell. Oversized text is cut, with a visible marker, inside the JSON so the details always stay
/// parseable: the stack first, then the message, each keeping the longest prefix that fits. The bases have a budget of
/// their own (<see cref="MaxBases"/>) and keep whole names only; generic types are named without their arguments.
/// </summary>
/// <remarks>
/// SWF's model states these limits in characters (Smithy counts Unicode scalar values). Flow counts UTF-16 code
/// units, as its own request validation does: never fewer than SWF counts, so whatever fits here fits there, and a
/// cut never falls inside a surrogate pair. The JSON is written by hand so that only what JSON requires is escaped
/// (quote, backslash, control characters; a lone surrogate, which JSON readers refuse, becomes U+FFFD): a general-
/// purpose encoder writes every character outside the Basic Multilingual Plane as a 12-character escape, which would
/// make an emoji message six times its length.
/// </remarks>
internal static class ActivityFailure
{
    public const int MaxReason = 256;
    public const int MaxDetails = 32768;
    public const string CutMarker = " …[cut by Flow: {0} characters omitted]";

    /// <summary>The most characters <c>,"bases":[…]</c> takes: more than 15 names of the longest kept (256); hierarchies
    /// are rarely 6 deep. The message and stack keep at least 28,000 characters.</summary>
    public const int MaxBases = 4096;

    // {"type":"","message":"","stack":""}
    private const int Envelope = 35;

    // ,"bases":[]
    private const int BasesEnvelope = 11;

    public static string Reason(Exception exception) => Reason(ExceptionText.TypeName(exception));

    public static string Reason(string reason) => ExceptionText.Prefix(reason, MaxReason);

    public static string Details(Exception exception)
    {
        string stack = ExceptionText.Stack(exception);
        if (exception is AggregateException aggregate)
        {
            var inners = aggregate.InnerExceptions;
            for (int i = 0; i < inners.Count; i++)
                stack += (stack.Length > 0 ? "\n" : "") + $"---> (Inner Exception #{i}) " + ExceptionText.Full(inners[i]);
        }
        else if (exception.InnerException is { } inner)
        {
            stack += (stack.Length > 0 ? "\n" : "") + "---> " + ExceptionText.Full(inner);
        }
        return Details(ExceptionText.TypeName(exception), Bases(exception), ExceptionText.Message(exception), stack);
    }

    /// <summary>The full names of the exception's base types, nearest first, without System.Object. Type.BaseType and
    /// FullName read metadata that trimming keeps for any type in use, so this is safe in an AOT worker.</summary>
    public static IReadOnlyList<string> Bases(Exception exception)
    {
        var bases = new List<string>();
        for (var type = exception.GetType().BaseType; type is not null && type != typeof(object); type = type.BaseType)
            bases.Add(ExceptionText.TypeName(type));
        return bases;
    }

    public static string Details(string? type, string? message, string? stack) => Details(type, [], message, stack);

    public static string Details(string? type, IReadOnlyList<string> bases, string? message, string? stack)
    {
        type = ExceptionText.Prefix(type ?? "", MaxReason);
        message ??= "";
        stack ??= "";
        // Nearest first, whole names while they fit the budget: a cut name would match nothing, so a name longer than a
        // reason may be (256) is left out, and so is every name after the budget runs out.
        var kept = new List<string>(bases.Count);
        int basesLength = BasesEnvelope - 1; // the first name has no comma before it
        foreach (var name in bases)
        {
            if (name.Length > MaxReason)
                continue;
            int cost = 3 + EscapedLength(name, 0, name.Length); // quotes and a comma
            if (basesLength + cost > MaxBases)
                break;
            kept.Add(name);
            basesLength += cost;
        }
        int basesCost = kept.Count == 0 ? 0 : basesLength; // no "bases" member at all when none is kept
        int room = MaxDetails - Envelope - EscapedLength(type, 0, type.Length) - basesCost;
        int messageLength = EscapedLength(message, 0, message.Length);
        if (messageLength + EscapedLength(stack, 0, stack.Length) > room)
        {
            // The stack gives way first; the message keeps all it can of what is left.
            stack = Fit(stack, Math.Max(room - messageLength, stack.Length == 0 ? 0 : MarkerLength(stack.Length)));
            message = Fit(message, room - EscapedLength(stack, 0, stack.Length));
        }
        var json = new StringBuilder(Envelope + type.Length + basesCost + message.Length + stack.Length + 16);
        json.Append("{\"type\":\"");
        Escape(json, type);
        json.Append('"');
        if (kept.Count > 0)
        {
            json.Append(",\"bases\":[");
            for (int i = 0; i < kept.Count; i++)
            {
                json.Append(i == 0 ? "\"" : ",\"");
                Escape(json, kept[i]);
                json.Append('"');
            }
            json.Append(']');
        }
        json.Append(",\"message\":\"");
        Escape(json, message);
        json.Append("\",\"stack\":\"");
        Escape(json, stack);
        return json.Append("\"}").ToString();
    }

    /// <summary><paramref name="text"/> whole when its escaped form fits <paramref name="room"/>; else its longest prefix
    /// that fits together with the marker saying how much was cut; "" when not even the marker fits.</summary>
    private static string Fit(string text, int room)
    {
        if (EscapedLength(text, 0, text.Length) <= room)
            return text;
        // used + marker never decreases as the prefix grows (each step adds at least 1 and the marker loses at most
        // one digit), so the first prefix that does not fit ends the search.
        int used = 0, best = -1;
        for (int i = 0; i < text.Length;)
        {
            if (used + MarkerLength(text.Length - i) > room)
                break;
            best = i;
            int step = char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
            used += EscapedLength(text, i, step);
            i += step;
        }
        return best < 0 ? "" : text[..best] + string.Format(CultureInfo.InvariantCulture, CutMarker, text.Length - best);
    }

    private static int MarkerLength(int omitted) => CutMarker.Length - 3 + Digits(omitted);

    private static int Digits(int n)
    {
        int digits = 1;
        while (n >= 10)
        {
            n /= 10;
            digits++;
        }
        return digits;
    }

    // Surrogates cost one each: a pair's half stays as it is, a lone one becomes U+FFFD.
    private static int EscapedLength(string text, int start, int count)
    {
        int length = 0;
        for (int i = start; i < start + count; i++)
        {
            length += text[i] switch
            {
                '"' or '\\' or '\b' or '\f' or '\n' or '\r' or '\t' => 2,
                < ' ' => 6,
                _ => 1,
            };
        }
        return length;
    }

    private static void Escape(StringBuilder json, string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                json.Append(c).Append(text[++i]);
                continue;
            }
            switch (c)
            {
                case '"': json.Append("\\\""); break;
                case '\\': json.Append("\\\\"); break;
                case '\b': json.Append("\\b"); break;
                case '\f': json.Append("\\f"); break;
                case '\n': json.Append("\\n"); break;
                case '\r': json.Append("\\r"); break;
                case '\t': json.Append("\\t"); break;
                default:
                    if (char.IsSurrogate(c))
                        json.Append('\uFFFD'); // a lone surrogate is not text, and JSON readers refuse its escape
                    else if (c < ' ')
                        json.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else
                        json.Append(c);
                    break;
            }
        }
    }
}
