using System.Buffers;
using System.Collections.Frozen;
using System.IO.Pipelines;
using System.Text.Json;
using Flow.Swf;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;

namespace Flow.Cli.Dev;

/// <summary>
/// SWF's JSON 1.0 protocol over HTTP, in front of any <see cref="ISwfClient"/>: <c>POST /</c> with
/// <c>X-Amz-Target: SimpleWorkflowService.&lt;Op&gt;</c>. Every bad request gets an SWF-shaped 4xx
/// answer; only a fault inside the engine itself can produce a 500. Async all the way, so a long
/// poll holds no thread.
/// </summary>
internal sealed class SwfHttpFront(ISwfClient client, SigV4Verifier? verifier, CancellationToken stopping, TextWriter errors)
{
    private readonly WebPage page = new(client);

    /// <summary>SWF's limit on a request body.</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    private const string TargetPrefix = "SimpleWorkflowService.";

    private static readonly FrozenDictionary<string, SwfOperation>.AlternateLookup<ReadOnlySpan<char>> OperationsBySpan =
        SwfOperationTable.ByName.GetAlternateLookup<ReadOnlySpan<char>>();

    public async Task HandleAsync(HttpContext context)
    {
        HttpRequest request = context.Request;
        HttpResponse response = context.Response;
        response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();

        if (!HttpMethods.IsPost(request.Method))
        {
            if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
            {
                await ServePageAsync(context).ConfigureAwait(false);
                return;
            }
            await WriteFaultAsync(response, HttpFault.UnknownOperation($"Method {request.Method} is not supported; SWF requests are POST /.") with { Status = 405 }).ConfigureAwait(false);
            return;
        }

        if (!IsJsonContentType(request.ContentType))
        {
            await WriteFaultAsync(response, HttpFault.Serialization(
                $"Unsupported Content-Type '{request.ContentType}'; expected application/x-amz-json-1.0.")).ConfigureAwait(false);
            return;
        }

        if (request.ContentLength > MaxBodyBytes)
        {
            await WriteFaultAsync(response, TooLarge(request.ContentLength.Value)).ConfigureAwait(false);
            return;
        }

        byte[]? body = null;
        int length;
        try
        {
            (body, length) = await ReadBodyAsync(request.BodyReader, context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Aborted, not returned: Kestrel would drain a body whose read never finished, and log each such
            // connection as an application error (dotnet/aspnetcore#17840), so any client could flood the log.
            context.Abort();
            return;
        }
        catch (BadHttpRequestException e)
        {
            await WriteFaultAsync(response, e.StatusCode == StatusCodes.Status413PayloadTooLarge ? TooLarge(null) : HttpFault.Serialization(e.Message)).ConfigureAwait(false);
            return;
        }
        catch (IOException)
        {
            // The client went away or sent a broken body (Kestrel reports both as IO errors): nothing to answer, and
            // nothing to drain (see above).
            context.Abort();
            return;
        }

        try
        {
            if (length < 0)
            {
                await WriteFaultAsync(response, TooLarge(null)).ConfigureAwait(false);
                return;
            }
            ReadOnlyMemory<byte> payload = body.AsMemory(0, length);

            if (verifier is not null && verifier.Verify(new KestrelRequest(context), payload.Span) is { } authFault)
            {
                await WriteFaultAsync(response, authFault).ConfigureAwait(false);
                return;
            }

            string? target = request.Headers["X-Amz-Target"];
            if (target is null || !target.StartsWith(TargetPrefix, StringComparison.Ordinal)
                || !OperationsBySpan.TryGetValue(target.AsSpan(TargetPrefix.Length), out SwfOperation? operation))
            {
                await WriteFaultAsync(response, HttpFault.UnknownOperation(
                    target is null ? "Missing X-Amz-Target header." : $"Unknown operation: {target}")).ConfigureAwait(false);
                return;
            }

            object input;
            try
            {
                input = operation.Decode(payload.Span);
            }
            catch (TimestampOutOfRangeException e)
            {
                // Well-formed JSON with a value SWF's members do not take: a validation error naming the member.
                var member = e.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : e.Path;
                await WriteFaultAsync(response, HttpFault.Validation(member is null ? e.Message : $"{member}: {e.Message}")).ConfigureAwait(false);
                return;
            }
            catch (JsonException e)
            {
                await WriteFaultAsync(response, HttpFault.Serialization(Describe(e))).ConfigureAwait(false);
                return;
            }
            catch (ArgumentException e)
            {
                await WriteFaultAsync(response, HttpFault.Validation(Flow.Local.Faults.MessageOf(e))).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is InvalidOperationException or NotSupportedException or FormatException or OverflowException)
            {
                // System.Text.Json reports some malformed input (invalid UTF-8, out-of-range numbers) this way.
                await WriteFaultAsync(response, HttpFault.Serialization(e.Message)).ConfigureAwait(false);
                return;
            }

            await InvokeAsync(context, operation, input).ConfigureAwait(false);
        }
        finally
        {
            if (body is not null)
                ArrayPool<byte>.Shared.Return(body);
        }
    }

    private async Task InvokeAsync(HttpContext context, SwfOperation operation, object input)
    {
        HttpResponse response = context.Response;
        CancellationTokenSource? linked = operation.IsPoll
            ? CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping)
            : null;
        var buffer = new ArrayBufferWriter<byte>(256);
        HttpFault? fault = null;
        try
        {
            await using (var writer = new Utf8JsonWriter(buffer))
            {
                try
                {
                    await operation.InvokeAsync(client, input, writer, linked?.Token ?? context.RequestAborted).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
                {
                    return; // nobody to answer
                }
                catch (OperationCanceledException) when (operation.IsPoll && stopping.IsCancellationRequested)
                {
                    // Shutting down: hand the poller an empty task so it polls again elsewhere.
                    writer.Reset();
                    buffer.Clear();
                    SwfOperationTable.WriteEmptyPoll(writer, input is PollForDecisionTaskInput);
                }
                catch (SwfException e)
                {
                    // A 500 from the engine is its store failing: say why where the operator looks.
                    if ((int)e.StatusCode >= 500)
                        await errors.WriteLineAsync($"flow dev: {e.Message}").ConfigureAwait(false);
                    fault = HttpFault.From(e);
                }
                catch (ArgumentException e)
                {
                    fault = HttpFault.Validation(Flow.Local.Faults.MessageOf(e));
                }
                catch (Exception e)
                {
                    await errors.WriteLineAsync($"flow dev: internal error: {e}").ConfigureAwait(false);
                    fault = HttpFault.InternalFailure("The local SWF engine failed to process the request.");
                }
            }

            if (fault is { } f)
            {
                await WriteFaultAsync(response, f).ConfigureAwait(false);
                return;
            }
            response.StatusCode = 200;
            response.ContentType = "application/x-amz-json-1.0";
            response.ContentLength = buffer.WrittenCount;
            await response.BodyWriter.WriteAsync(buffer.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
        }
        finally
        {
            linked?.Dispose();
        }
    }

    /// <summary>The browser view; off when signatures are checked, since a browser cannot sign.</summary>
    private async Task ServePageAsync(HttpContext context)
    {
        HttpResponse response = context.Response;
        if (verifier is not null)
        {
            await WriteFaultAsync(response, HttpFault.MissingAuthenticationToken("Missing Authentication Token")).ConfigureAwait(false);
            return;
        }
        string? html;
        try
        {
            html = await page.RenderAsync(context.Request, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SwfException or ArgumentException)
        {
            await WriteTextAsync(response, 404, "text/plain; charset=utf-8", e.Message + "\n").ConfigureAwait(false);
            return;
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }
        if (html is null)
            await WriteTextAsync(response, 404, "text/plain; charset=utf-8", "Not found. SWF requests are POST /; the web view is GET /.\n").ConfigureAwait(false);
        else
            await WriteTextAsync(response, 200, "text/html; charset=utf-8", html).ConfigureAwait(false);
    }

    /// <summary>Reads the whole body into a pooled array; length −1 when it exceeds the limit
    /// (a chunked body that announced no length).</summary>
    private static async Task<(byte[]? Body, int Length)> ReadBodyAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult read = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> data = read.Buffer;
            if (data.Length > MaxBodyBytes)
            {
                reader.AdvanceTo(data.Start, data.End);
                return (null, -1);
            }
            if (read.IsCompleted || read.IsCanceled)
            {
                int length = (int)data.Length;
                byte[] body = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
                data.CopyTo(body);
                reader.AdvanceTo(data.End);
                return (body, length);
            }
            reader.AdvanceTo(data.Start, data.End);
        }
    }

    private static HttpFault TooLarge(long? length) => HttpFault.Validation(length is { } n
        ? $"The request body is {n} bytes; SWF accepts at most {MaxBodyBytes} bytes (1 MB)."
        : $"The request body exceeds {MaxBodyBytes} bytes (1 MB), SWF's limit.");

    /// <summary>botocore and the AWS CLI send application/x-amz-json-1.0; plain application/json is
    /// accepted too, so curl users need not spell the AWS media type.</summary>
    internal static bool IsJsonContentType(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
            return false;
        ReadOnlySpan<char> media = contentType.AsSpan();
        int semicolon = media.IndexOf(';');
        if (semicolon >= 0)
            media = media[..semicolon];
        media = media.Trim();
        return media.Equals("application/x-amz-json-1.0", StringComparison.OrdinalIgnoreCase)
            || media.Equals("application/json", StringComparison.OrdinalIgnoreCase);
    }

    private static string Describe(JsonException e) => e.Path is { Length: > 0 } path && !e.Message.Contains(path, StringComparison.Ordinal)
        ? $"{e.Message} Path: {path}."
        : e.Message;

    private static async Task WriteFaultAsync(HttpResponse response, HttpFault fault)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        await using (var writer = new Utf8JsonWriter(buffer))
            fault.WriteBody(writer);
        response.StatusCode = fault.Status;
        response.ContentType = "application/x-amz-json-1.0";
        response.ContentLength = buffer.WrittenCount;
        try
        {
            await response.BodyWriter.WriteAsync(buffer.WrittenMemory).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // The client hung up; nothing left to tell it.
        }
    }

    private static async Task WriteTextAsync(HttpResponse response, int status, string contentType, string text)
    {
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(text);
        response.StatusCode = status;
        response.ContentType = contentType;
        response.ContentLength = bytes.Length;
        if (!HttpMethods.IsHead(response.HttpContext.Request.Method))
            await response.BodyWriter.WriteAsync(bytes).ConfigureAwait(false);
    }

    /// <summary>What the signature covers, read from Kestrel's raw request line and headers.</summary>
    private sealed class KestrelRequest(HttpContext context) : SigV4Verifier.IRequest
    {
        private readonly string rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? "/";

        public string Method => context.Request.Method;

        public string RawPath => rawTarget.IndexOf('?') is var q and >= 0 ? rawTarget[..q] : rawTarget;

        public string RawQuery => rawTarget.IndexOf('?') is var q and >= 0 ? rawTarget[(q + 1)..] : "";

        public IReadOnlyList<string> Header(string name)
        {
            StringValues values = context.Request.Headers[name];
            if (values.Count == 0)
                return [];
            var list = new List<string>(values.Count);
            foreach (string? v in values)
                if (v is not null) list.Add(v);
            return list;
        }
    }
}
