using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace Flow.Runtime.Tests.Swf.Support;

/// <summary>One request as the server read it off the socket.</summary>
internal sealed record RecordedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;

    /// <summary>The operation from X-Amz-Target, e.g. "ListDomains".</summary>
    public string? Operation => Header("X-Amz-Target") is { } t && t.StartsWith("SimpleWorkflowService.", StringComparison.Ordinal)
        ? t["SimpleWorkflowService.".Length..]
        : null;
}

/// <summary>What the server does with the next request.</summary>
internal sealed record Reply(Reply.Action What, int Status = 200, string Body = "", string? ContentType = null, string? RequestId = null)
{
    public enum Action { Respond, Close, Reset, Hang }

    public static Reply Json(string body, int status = 200) => new(Action.Respond, status, body, "application/x-amz-json-1.0", "req-" + status);

    /// <summary>An error as SWF writes it: a namespaced __type and a message.</summary>
    public static Reply Fault(int status, string fault, string message, string requestId = "fault-request-id") =>
        new(Action.Respond, status, $$"""{"__type":"com.amazonaws.swf.base.model#{{fault}}","message":"{{message}}"}""",
            "application/x-amz-json-1.0", requestId);

    public static Reply Html(int status) => new(Action.Respond, status,
        $"<!doctype html>\n<html><title>{status} Error</title>\n<h1>Something broke</h1></html>", "text/html; charset=utf-8", null);

    public static Reply Empty(int status) => new(Action.Respond, status);

    /// <summary>Read the request, then close the connection without answering.</summary>
    public static readonly Reply Close = new(Action.Close);

    /// <summary>Read the request, then reset the connection (TCP RST).</summary>
    public static readonly Reply Reset = new(Action.Reset);

    /// <summary>Read the request and never answer, until the client goes away.</summary>
    public static readonly Reply Hang = new(Action.Hang);
}

/// <summary>
/// A tiny HTTP/1.1 server on 127.0.0.1 that answers each request from a script: SWF faults, HTML
/// error pages, dropped and reset connections, or silence. One request per connection.
/// </summary>
internal sealed class FaultServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<Reply> _script = new();
    private readonly List<RecordedRequest> _requests = [];
    private readonly Channel<RecordedRequest> _arrivals = Channel.CreateUnbounded<RecordedRequest>();
    private readonly TaskCompletionSource _hungClientLeft = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _acceptLoop;

    private FaultServer()
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Url = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _acceptLoop = AcceptLoopAsync();
    }

    public static FaultServer Start() => new();

    public Uri Url { get; }

    /// <summary>The reply once the script is used up.</summary>
    public Reply Default { get; set; } = Reply.Json("{}");

    public IReadOnlyList<RecordedRequest> Requests
    {
        get { lock (_requests) return [.. _requests]; }
    }

    /// <summary>Completes when a client that the server was hanging on closes its connection.</summary>
    public Task HungClientLeft => _hungClientLeft.Task;

    public void Enqueue(params Reply[] replies)
    {
        foreach (var r in replies)
            _script.Enqueue(r);
    }

    /// <summary>Waits for the next request to arrive (they are queued, so none is missed).</summary>
    public async Task<RecordedRequest> NextArrivalAsync(CancellationToken cancellationToken) =>
        await _arrivals.Reader.ReadAsync(cancellationToken);

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = Task.Run(() => ServeAsync(client));
            }
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            var request = await ReadRequestAsync(stream, _stop.Token);
            if (request is null)
                return;
            lock (_requests)
                _requests.Add(request);
            var reply = _script.TryDequeue(out var scripted) ? scripted : Default;
            _arrivals.Writer.TryWrite(request);

            switch (reply.What)
            {
                case Reply.Action.Close:
                    client.Client.Shutdown(SocketShutdown.Both);
                    return;
                case Reply.Action.Reset:
                    client.Client.LingerState = new LingerOption(true, 0);
                    client.Client.Close();
                    return;
                case Reply.Action.Hang:
                    // A read returns 0 once the client closes its side (cancelled or timed out).
                    var buffer = new byte[1];
                    try
                    {
                        while (await stream.ReadAsync(buffer, _stop.Token) > 0)
                        {
                        }
                    }
                    catch (IOException)
                    {
                    }
                    _hungClientLeft.TrySetResult();
                    return;
                default:
                    await WriteResponseAsync(stream, reply, _stop.Token);
                    return;
            }
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
        }
        catch (IOException)
        {
        }
    }

    private static async Task<RecordedRequest?> ReadRequestAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var buffer = new List<byte>(4096);
        var chunk = new byte[4096];
        int headerEnd;
        while ((headerEnd = IndexOfHeaderEnd(buffer)) < 0)
        {
            int n = await stream.ReadAsync(chunk, cancellationToken);
            if (n == 0)
                return null;
            buffer.AddRange(chunk.AsSpan(0, n));
        }
        string head = Encoding.ASCII.GetString([.. buffer.GetRange(0, headerEnd)]);
        var lines = head.Split("\r\n");
        var requestLine = lines[0].Split(' ');
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            int colon = line.IndexOf(':');
            if (colon > 0)
                headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        int length = headers.TryGetValue("Content-Length", out var cl) ? int.Parse(cl) : 0;
        var body = buffer.GetRange(headerEnd + 4, buffer.Count - headerEnd - 4);
        while (body.Count < length)
        {
            int n = await stream.ReadAsync(chunk, cancellationToken);
            if (n == 0)
                return null;
            body.AddRange(chunk.AsSpan(0, n));
        }
        return new RecordedRequest(requestLine[0], requestLine[1], headers, Encoding.UTF8.GetString([.. body]));
    }

    private static int IndexOfHeaderEnd(List<byte> buffer)
    {
        for (int i = 0; i + 3 < buffer.Count; i++)
        {
            if (buffer[i] == '\r' && buffer[i + 1] == '\n' && buffer[i + 2] == '\r' && buffer[i + 3] == '\n')
                return i;
        }
        return -1;
    }

    private static async Task WriteResponseAsync(NetworkStream stream, Reply reply, CancellationToken cancellationToken)
    {
        byte[] body = Encoding.UTF8.GetBytes(reply.Body);
        var head = new StringBuilder();
        head.Append($"HTTP/1.1 {reply.Status} {ReasonPhrase(reply.Status)}\r\n");
        if (reply.ContentType is not null)
            head.Append($"Content-Type: {reply.ContentType}\r\n");
        if (reply.RequestId is not null)
            head.Append($"x-amzn-RequestId: {reply.RequestId}\r\n");
        head.Append($"Content-Length: {body.Length}\r\nConnection: close\r\n\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), cancellationToken);
        await stream.WriteAsync(body, cancellationToken);
        await stream.FlushAsync(cancellationToken);
    }

    private static string ReasonPhrase(int status) => status switch
    {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    };

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _acceptLoop;
        _stop.Dispose();
    }
}
