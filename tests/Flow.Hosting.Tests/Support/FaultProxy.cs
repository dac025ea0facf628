using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Flow.Hosting.Tests.Support;

/// <summary>What the proxy does to one request.</summary>
internal enum Fault
{
    /// <summary>Forward it and pass the answer back.</summary>
    None,

    /// <summary>Answer 400 ThrottlingException without forwarding (the service never sees the call).</summary>
    Throttle,

    /// <summary>Answer 500 InternalFailure without forwarding.</summary>
    ServerError,

    /// <summary>Reset the connection (TCP RST) without forwarding.</summary>
    Reset,

    /// <summary>Forward it (the service acts on it), then answer 500 instead of the service's answer.</summary>
    ServerErrorAfter,

    /// <summary>Forward it, then close the connection without an answer.</summary>
    DropAfter,
}

/// <summary>
/// An HTTP/1.1 reverse proxy on 127.0.0.1 in front of an SWF endpoint that, per request, forwards it or injects a
/// fault chosen by <see cref="Choose"/>: throttling, 5xx and dropped connections, before the service sees the call or
/// after it acted. Keeps client connections alive between requests, as SWF's front does, so dropped connections hit
/// pooled connections too. Forwarded requests keep their Host header, so SigV4 signatures stay valid.
/// </summary>
internal sealed class FaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Uri _upstream;
    private readonly HttpClient _http;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly ConcurrentDictionary<(string Operation, Fault Fault), int> _counts = new();

    public FaultProxy(Uri upstream, Func<string, Fault> choose)
    {
        _upstream = upstream;
        Choose = choose;
        _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false }) { Timeout = Timeout.InfiniteTimeSpan };
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start(512);
        Url = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _acceptLoop = AcceptLoopAsync();
    }

    public Uri Url { get; }

    /// <summary>Picks the fault for a request, given its operation (from X-Amz-Target).</summary>
    public Func<string, Fault> Choose { get; set; }

    /// <summary>Requests seen, by operation and the fault applied.</summary>
    public IReadOnlyDictionary<(string Operation, Fault Fault), int> Counts => _counts;

    public int Total(Func<string, Fault, bool> match) => _counts.Where(c => match(c.Key.Operation, c.Key.Fault)).Sum(c => c.Value);

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
        client.NoDelay = true;
        var stream = client.GetStream();
        var reader = new RequestReader(stream);
        try
        {
            while (await reader.ReadAsync(_stop.Token) is { } request)
            {
                string operation = request.Header("X-Amz-Target") is { } target && target.StartsWith("SimpleWorkflowService.", StringComparison.Ordinal)
                    ? target["SimpleWorkflowService.".Length..]
                    : "?";
                var fault = Choose(operation);
                _counts.AddOrUpdate((operation, fault), 1, (_, n) => n + 1);
                switch (fault)
                {
                    case Fault.Throttle:
                        await WriteAsync(stream, 400, "application/x-amz-json-1.0",
                            """{"__type":"com.amazon.coral.availability#ThrottlingException","message":"Rate exceeded"}""");
                        continue;
                    case Fault.ServerError:
                        await WriteAsync(stream, 500, "application/x-amz-json-1.0",
                            """{"__type":"com.amazon.coral.service#InternalFailure","message":"injected before forwarding"}""");
                        continue;
                    case Fault.Reset:
                        client.Client.LingerState = new LingerOption(true, 0);
                        client.Client.Close();
                        return;
                }

                using var forwarded = await ForwardAsync(request, _stop.Token);
                byte[] body = await forwarded.Content.ReadAsByteArrayAsync(_stop.Token);
                switch (fault)
                {
                    case Fault.ServerErrorAfter:
                        await WriteAsync(stream, 500, "application/x-amz-json-1.0",
                            """{"__type":"com.amazon.coral.service#InternalFailure","message":"injected after the service answered"}""");
                        continue;
                    case Fault.DropAfter:
                        client.Client.Shutdown(SocketShutdown.Both);
                        return;
                }
                string? requestId = forwarded.Headers.TryGetValues("x-amzn-RequestId", out var ids) ? ids.FirstOrDefault() : null;
                await WriteAsync(stream, (int)forwarded.StatusCode, forwarded.Content.Headers.ContentType?.ToString(), body, requestId);
            }
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
        }
        catch (IOException)
        {
            // The client went away (a cancelled long poll).
        }
        catch (SocketException)
        {
        }
    }

    private Task<HttpResponseMessage> ForwardAsync(ProxiedRequest request, CancellationToken cancellationToken)
    {
        var message = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(_upstream, request.Path))
        {
            Content = new ByteArrayContent(request.Body),
        };
        foreach (var (name, value) in request.Headers)
        {
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase))
                message.Headers.Host = value;
            else if (name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase))
                message.Content.Headers.TryAddWithoutValidation(name, value);
            else if (!name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
                message.Headers.TryAddWithoutValidation(name, value);
        }
        return _http.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken);
    }

    private Task WriteAsync(NetworkStream stream, int status, string? contentType, string body) =>
        WriteAsync(stream, status, contentType, Encoding.UTF8.GetBytes(body), "proxy-" + Guid.NewGuid().ToString("N"));

    private async Task WriteAsync(NetworkStream stream, int status, string? contentType, byte[] body, string? requestId)
    {
        var head = new StringBuilder($"HTTP/1.1 {status} {(status == 200 ? "OK" : "Error")}\r\n");
        if (contentType is not null)
            head.Append($"Content-Type: {contentType}\r\n");
        if (requestId is not null)
            head.Append($"x-amzn-RequestId: {requestId}\r\n");
        head.Append($"Content-Length: {body.Length}\r\n\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), _stop.Token);
        await stream.WriteAsync(body, _stop.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _acceptLoop;
        _http.Dispose();
        _stop.Dispose();
    }

    private sealed record ProxiedRequest(string Method, string Path, List<(string Name, string Value)> Headers, byte[] Body)
    {
        public string? Header(string name) => Headers.FirstOrDefault(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;
    }

    /// <summary>Reads requests one after another off a kept-alive connection (Content-Length bodies only, as the
    /// SWF client sends).</summary>
    private sealed class RequestReader(NetworkStream stream)
    {
        private readonly byte[] _chunk = new byte[16384];
        private readonly List<byte> _buffer = new(16384);

        public async Task<ProxiedRequest?> ReadAsync(CancellationToken cancellationToken)
        {
            int headerEnd;
            while ((headerEnd = HeaderEnd()) < 0)
            {
                if (!await FillAsync(cancellationToken))
                    return null;
            }
            string head = Encoding.ASCII.GetString([.. _buffer.GetRange(0, headerEnd)]);
            var lines = head.Split("\r\n");
            var requestLine = lines[0].Split(' ');
            var headers = new List<(string, string)>();
            int length = 0;
            foreach (var line in lines.Skip(1))
            {
                int colon = line.IndexOf(':');
                if (colon <= 0)
                    continue;
                string name = line[..colon].Trim(), value = line[(colon + 1)..].Trim();
                headers.Add((name, value));
                if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                    length = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
            }
            _buffer.RemoveRange(0, headerEnd + 4);
            while (_buffer.Count < length)
            {
                if (!await FillAsync(cancellationToken))
                    return null;
            }
            byte[] body = [.. _buffer.GetRange(0, length)];
            _buffer.RemoveRange(0, length);
            return new ProxiedRequest(requestLine[0], requestLine[1], headers, body);
        }

        private async Task<bool> FillAsync(CancellationToken cancellationToken)
        {
            int n = await stream.ReadAsync(_chunk, cancellationToken);
            if (n == 0)
                return false;
            _buffer.AddRange(_chunk.AsSpan(0, n));
            return true;
        }

        private int HeaderEnd()
        {
            for (int i = 0; i + 3 < _buffer.Count; i++)
            {
                if (_buffer[i] == '\r' && _buffer[i + 1] == '\n' && _buffer[i + 2] == '\r' && _buffer[i + 3] == '\n')
                    return i;
            }
            return -1;
        }
    }
}
