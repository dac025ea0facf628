using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using Flow;
using Flow.Local;
using Flow.Swf;

namespace Flow.Samples.Tests;

/// <summary>An embedded, in-memory SWF with the domain the samples use.</summary>
internal sealed class LocalService : IDisposable
{
    private readonly LocalSwf _local = new(new LocalSwfOptions { LongPollHold = TimeSpan.FromSeconds(1) });

    public LocalService() => Swf = new LocalSwfClient(_local);

    public ISwfClient Swf { get; }

    public WorkflowClient Client(string domain) => new(Swf, domain);

    public async Task RegisterDomainAsync(string domain) =>
        await new FlowRegistration(Swf, domain).RegisterDomainAsync(retentionDays: 1);

    public void Dispose() => _local.Dispose();
}

internal static class Repository
{
    private static string Metadata(string key) =>
        typeof(Repository).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    public static string Root { get; } = Path.GetFullPath(Metadata("RepositoryRoot"));

    public static string Configuration { get; } = Metadata("Configuration");

    public static string Path_(params string[] parts) => Path.Combine([Root, .. parts]);
}

/// <summary>A temporary folder, removed when disposed.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "flow-samples-" + Guid.NewGuid().ToString("N")[..8]);

    public string this[string name] => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        if (Directory.Exists(Path))
            Directory.Delete(Path, recursive: true);
    }
}

/// <summary>A tiny HTTP/1.1 server on 127.0.0.1 that serves one body. It can leave the first requests unanswered,
/// fail the next ones with 503 (or another status), drop the connection half-way through the body of the ones after,
/// and hold a response half-sent until the test lets it go.</summary>
internal sealed class FileServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly byte[] _body;
    private readonly int _failures;
    private readonly int _silent;
    private readonly int _dropped;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _requests;

    private readonly string _failureStatus;

    /// <param name="failures">How many requests get <paramref name="failureStatus"/> before the body is served.</param>
    /// <param name="silent">How many requests, before those, get no answer at all (the connection stays open).</param>
    /// <param name="dropped">How many requests, after those, get 200 with the whole body's Content-Length and then
    /// only its first half before the connection closes.</param>
    public FileServer(byte[] body, int failures = 0, bool hold = false, string failureStatus = "503 Service Unavailable", int silent = 0,
        int dropped = 0)
    {
        _body = body;
        _failures = failures;
        _silent = silent;
        _dropped = dropped;
        _failureStatus = failureStatus;
        Hold = hold;
        _listener.Start();
        _loop = Task.Run(AcceptAsync);
    }

    public bool Hold { get; }

    public Uri Url(string name) => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/{name}");

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Completes when a held response has sent its first half.</summary>
    public TaskCompletionSource HalfSent { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        var buffer = new byte[4096];
        var request = new StringBuilder();
        while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            int read = await stream.ReadAsync(buffer, _stop.Token);
            if (read == 0)
                return;
            request.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
        int n = Interlocked.Increment(ref _requests);
        if (n <= _silent)
        {
            await Task.Delay(Timeout.Infinite, _stop.Token);
            return;
        }
        if (n - _silent <= _failures)
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {_failureStatus}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), _stop.Token);
            return;
        }
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {_body.Length}\r\nConnection: close\r\n\r\n"), _stop.Token);
        if (n - _silent - _failures <= _dropped)
        {
            await stream.WriteAsync(_body.AsMemory(0, _body.Length / 2), _stop.Token);
            await stream.FlushAsync(_stop.Token);
            client.Client.Shutdown(SocketShutdown.Send); // the end of the stream, mid-body
            return;
        }
        if (Hold)
        {
            int half = _body.Length / 2;
            await stream.WriteAsync(_body.AsMemory(0, half), _stop.Token);
            await stream.FlushAsync(_stop.Token);
            HalfSent.TrySetResult();
            await Release.Task.WaitAsync(_stop.Token);
            await stream.WriteAsync(_body.AsMemory(half), _stop.Token);
        }
        else
        {
            await stream.WriteAsync(_body, _stop.Token);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }
}

internal static class Waiting
{
    /// <summary>Waits for a condition that an event elsewhere makes true, failing clearly when it never does.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (!await condition())
        {
            if (cts.IsCancellationRequested)
                Assert.Fail($"Timed out after {timeout.TotalSeconds} s waiting for {what}.");
            await Task.Delay(20);
        }
    }
}
