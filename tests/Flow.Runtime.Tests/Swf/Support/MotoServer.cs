using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Flow.Runtime.Tests.Swf.Support;

/// <summary>
/// moto_server (an SWF emulator others wrote) on a free 127.0.0.1 port, started for a fixture.
/// It must be installed: a missing moto fails the tests rather than skipping them.
/// </summary>
internal sealed class MotoServer : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private MotoServer(Process process, Uri url)
    {
        _process = process;
        Url = url;
    }

    public Uri Url { get; }

    public static async Task<MotoServer> StartAsync(TimeSpan startupTimeout)
    {
        int port = FreePort();
        string args = $"-H 127.0.0.1 -p {port}";
        var failures = new List<string>();
        foreach (var (file, arguments) in new[] { ("moto_server", args), ("python3", "-m moto.server " + args) })
        {
            var psi = new ProcessStartInfo(file, arguments)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            Process process;
            try
            {
                process = Process.Start(psi)!;
            }
            catch (Win32Exception e)
            {
                failures.Add($"{file}: {e.Message}");
                continue;
            }

            var server = new MotoServer(process, new Uri($"http://127.0.0.1:{port}/"));
            if (await server.WaitUntilListeningAsync(startupTimeout))
                return server;
            failures.Add($"{file} {arguments} did not start:\n{server.Output}");
            server.Dispose();
        }
        throw new InvalidOperationException(
            "moto_server is required for these tests (pip install 'moto[server]'), and it could not be started:\n"
            + string.Join("\n", failures));
    }

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>Werkzeug announces "Running on http://127.0.0.1:PORT" once it accepts connections.</summary>
    private async Task<bool> WaitUntilListeningAsync(TimeSpan timeout)
    {
        var ready = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(object? sender, DataReceivedEventArgs e)
        {
            if (e.Data is null)
                return;
            lock (_output)
                _output.AppendLine(e.Data);
            if (e.Data.Contains("Running on http://127.0.0.1:" + Url.Port, StringComparison.Ordinal))
                ready.TrySetResult(true);
        }
        _process.OutputDataReceived += OnLine;
        _process.ErrorDataReceived += OnLine;
        _process.EnableRaisingEvents = true;
        _process.Exited += (_, _) => ready.TrySetResult(false);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        if (_process.HasExited)
            ready.TrySetResult(false);
        try
        {
            return await ready.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }
}
