using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Flow.Workers;

/// <summary>
/// How an exception travels to SWF: reason = the exception's type name (≤ 256 characters), details = JSON
/// <c>{"type","message","stack"}</c> (≤ 32,768 characters). Oversized text is cut, with a visible marker,
/// inside the JSON so the details always stay parseable.
/// </summary>
internal static class ActivityFailure
{
    public const int MaxReason = 256;
    public const int MaxDetails = 32768;
    public const string CutMarker = " …[cut by Flow: {0} characters omitted]";

    // Stacks are full of '<' and '>' (compiler-generated names); the default encoder would turn each into \u003C.
    private static readonly JsonWriterOptions s_options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Reason(Exception exception) => Reason(exception.GetType().FullName ?? exception.GetType().Name);

    public static string Reason(string reason) => reason.Length <= MaxReason ? reason : reason[..MaxReason];

    public static string Details(Exception exception)
    {
        string stack = exception.StackTrace ?? "";
        if (exception.InnerException is { } inner)
            stack += (stack.Length > 0 ? "\n" : "") + "---> " + inner;
        return Details(exception.GetType().FullName ?? exception.GetType().Name, exception.Message, stack);
    }

    public static string Details(string type, string message, string stack)
    {
        if (type.Length > MaxReason)
            type = type[..MaxReason];
        // Escaping makes the JSON longer than its parts: cut the stack first, then the message, until it fits.
        int cutStack = 0, cutMessage = 0;
        while (true)
        {
            string json = Write(type, Cut(message, cutMessage), Cut(stack, cutStack));
            int excess = json.Length - MaxDetails;
            if (excess <= 0)
                return json;
            int step = excess + CutMarker.Length + 8;
            if (cutStack < stack.Length)
                cutStack = Math.Min(stack.Length, cutStack + step);
            else
                cutMessage = Math.Min(message.Length, cutMessage + step);
        }
    }

    private static string Cut(string text, int omitted) => omitted == 0
        ? text
        : text[..(text.Length - omitted)] + string.Format(System.Globalization.CultureInfo.InvariantCulture, CutMarker, omitted);

    private static string Write(string type, string message, string stack)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + (type.Length + message.Length + stack.Length) * 2);
        using (var writer = new Utf8JsonWriter(buffer, s_options))
        {
            writer.WriteStartObject();
            writer.WriteString("type", type);
            writer.WriteString("message", message);
            writer.WriteString("stack", stack);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
