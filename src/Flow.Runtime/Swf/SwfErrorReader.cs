using System.Net;
using System.Text;
using System.Text.Json;

namespace Flow.Swf;

/// <summary>Turns an error answer of the JSON 1.0 protocol into a typed <see cref="SwfException"/>.</summary>
internal static class SwfErrorReader
{
    public const string RequestIdHeader = "x-amzn-RequestId";
    private const string ErrorTypeHeader = "x-amzn-ErrorType";

    public static SwfException Read(string operation, HttpResponseMessage response, byte[] body)
    {
        string? requestId = Header(response, RequestIdHeader);
        return Read(operation, response.StatusCode, response.ReasonPhrase, requestId, Header(response, ErrorTypeHeader), body);
    }

    public static SwfException Read(
        string operation, HttpStatusCode status, string? reasonPhrase, string? requestId, string? errorTypeHeader, ReadOnlySpan<byte> body)
    {
        SwfErrorBody? error = null;
        if (LooksLikeJson(body))
        {
            try
            {
                error = JsonSerializer.Deserialize(body, SwfJsonContext.Default.SwfErrorBody);
            }
            catch (JsonException)
            {
                // Falls through to the status-based error below.
            }
        }

        string? code = FaultName(error?.Type) ?? FaultName(errorTypeHeader);
        string? message = error?.Message ?? error?.MessageUpper;
        if (code is not null)
            return SwfException.Create(code, message ?? $"{operation} failed with {code} (HTTP {(int)status}).", status, requestId);

        // No fault name: an HTML page from a proxy or load balancer, an empty body (as moto sometimes
        // answers), or JSON without __type. Name the status so the cause is still plain.
        string what = body.IsEmpty ? "an empty body"
            : error is not null ? "a body without an error type" + (message is null ? "" : $": {message}")
            : $"a body that is not an SWF error: \"{Snippet(body)}\"";
        string phrase = string.IsNullOrEmpty(reasonPhrase) ? "" : " " + reasonPhrase;
        return SwfException.Create(
            $"HttpStatus{(int)status}", $"SWF answered {operation} with HTTP {(int)status}{phrase} and {what}.", status, requestId);
    }

    /// <summary>"com.amazonaws.swf.base.model#UnknownResourceFault" → "UnknownResourceFault"; the
    /// x-amzn-ErrorType header may also carry ":http://..." after the name.</summary>
    internal static string? FaultName(string? type)
    {
        if (string.IsNullOrWhiteSpace(type))
            return null;
        int hash = type.LastIndexOf('#');
        if (hash >= 0)
            type = type[(hash + 1)..];
        int colon = type.IndexOf(':');
        if (colon >= 0)
            type = type[..colon];
        type = type.Trim();
        return type.Length == 0 ? null : type;
    }

    private static bool LooksLikeJson(ReadOnlySpan<byte> body)
    {
        body = body.TrimStart(" \t\r\n"u8);
        return !body.IsEmpty && body[0] == (byte)'{';
    }

    internal static string Snippet(ReadOnlySpan<byte> body)
    {
        const int max = 200;
        string text = Encoding.UTF8.GetString(body[..Math.Min(body.Length, max * 4)]);
        text = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return text.Length <= max ? text : text[..max] + "…";
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
