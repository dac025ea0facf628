using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Flow.Tests;

/// <summary>A server on 127.0.0.1 that accepts connections, reads what is sent and never answers: an endpoint
/// that hangs.</summary>
internal sealed class SilentServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _clients = [];
    private readonly Task _loop;
    private int _requests;

    public SilentServer()
    {
        _listener.Start();
        _loop = Task.Run(AcceptAsync);
    }

    public Uri Url => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    /// <summary>Requests whose headers arrived (each one then waits forever).</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Completes when the first request's headers have arrived.</summary>
    public Task FirstRequest => _firstRequest.Task;

    private readonly TaskCompletionSource _firstRequest = new(TaskCreationOptions.RunContinuationsAsynchronously);

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
            lock (_clients)
                _clients.Add(client);
            _ = Task.Run(() => DrainAsync(client));
        }
    }

    private async Task DrainAsync(TcpClient client)
    {
        var buffer = new byte[4096];
        var seen = new StringBuilder();
        try
        {
            var stream = client.GetStream();
            int read;
            while ((read = await stream.ReadAsync(buffer, _stop.Token)) > 0)
            {
                seen.Append(Encoding.ASCII.GetString(buffer, 0, read));
                // Count each request once its headers are in; the body is read and dropped.
                var text = seen.ToString();
                int end;
                while ((end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal)) >= 0)
                {
                    Interlocked.Increment(ref _requests);
                    _firstRequest.TrySetResult();
                    text = text[(end + 4)..];
                }
                seen.Clear().Append(text);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // Stopped, or the client gave up and closed the connection.
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_clients)
            foreach (var client in _clients)
                client.Dispose();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }
}
