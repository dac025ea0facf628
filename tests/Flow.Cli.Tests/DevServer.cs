using System.Diagnostics;
using System.Text;

namespace Flow.Cli.Tests;

/// <summary>A real <c>flow dev</c> process, started from the built Flow.Cli.dll next to the tests.</summary>
internal sealed class DevServer : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder stderr = new();
    private readonly StringBuilder stdout = new();

    private DevServer(Process process, Uri url)
    {
        this.process = process;
        Url = url;
    }

    public Uri Url { get; }

    /// <summary>The endpoint as clients spell it, without the trailing slash.</summary>
    public string Endpoint => Url.ToString().TrimEnd('/');

    public bool HasExited => process.HasExited;

    public int Pid => process.Id;

    public string StandardError { get { lock (stderr) return stderr.ToString(); } }

    /// <summary>Every stdout line after the URL line (there should be none).</summary>
    public string LaterOutput { get { lock (stdout) return stdout.ToString(); } }

    public static string ToolPath => Path.Combine(AppContext.BaseDirectory, "Flow.Cli.dll");

    public static Process StartProcess(IEnumerable<string> args) => StartProcess("dotnet", ["exec", ToolPath, .. args]);

    private static Process StartProcess(string file, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in args)
            info.ArgumentList.Add(a);
        return Process.Start(info) ?? throw new InvalidOperationException($"{file} did not start");
    }

    public static Task<DevServer> StartAsync(params string[] args) => StartAsync(StartProcess(["dev", "--port", "0", .. args]));

    /// <summary>Starts <c>flow dev</c> from bash after <paramref name="setup"/> (process limits, signal dispositions),
    /// by exec, so the process is flow dev itself.</summary>
    public static Task<DevServer> StartAfterAsync(string setup, params string[] args) =>
        StartAsync(StartProcess("bash", ["-c", setup + "; exec dotnet exec \"$0\" dev --port 0 \"$@\"", ToolPath, .. args]));

    /// <summary>Starts <c>flow dev</c> from an installed <c>flow</c> command instead of the built dll.</summary>
    public static Task<DevServer> StartCommandAsync(string command, params string[] args) => StartAsync(StartProcess(command, ["dev", "--port", "0", .. args]));

    private static async Task<DevServer> StartAsync(Process process)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            string? line = await process.StandardOutput.ReadLineAsync(timeout.Token);
            if (line is null)
            {
                string stderr = await process.StandardError.ReadToEndAsync();
                await process.WaitForExitAsync();
                throw new InvalidOperationException($"flow dev exited ({process.ExitCode}) before listening: {stderr}");
            }
            var server = new DevServer(process, new Uri(line));
            server.Drain();
            return server;
        }
        catch
        {
            // Never leave a server behind when a fixture fails to start.
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    private Task drained = Task.CompletedTask;

    private void Drain()
    {
        drained = Task.WhenAll(Pump(process.StandardError, stderr), Pump(process.StandardOutput, stdout));

        static async Task Pump(StreamReader reader, StringBuilder into)
        {
            while (await reader.ReadLineAsync() is { } line)
                lock (into) into.AppendLine(line);
        }
    }

    /// <summary>Sends SIGTERM and waits for the exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan within)
    {
        if (!process.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
        }
        using var timeout = new CancellationTokenSource(within);
        await process.WaitForExitAsync(timeout.Token);
        // Every line it wrote is in StandardError and LaterOutput once it has exited.
        await drained.WaitAsync(timeout.Token);
        return process.ExitCode;
    }

    /// <summary>SIGKILL: no shutdown code runs, as in a crash.</summary>
    public async Task KillAsync()
    {
        process.Kill();
        await process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
    }
}
