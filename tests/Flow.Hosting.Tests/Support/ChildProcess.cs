using System.Diagnostics;
using System.Globalization;

namespace Flow.Hosting.Tests.Support;

/// <summary>A process whose output is collected line by line; killed (with its children) when disposed.</summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChildProcess(Process process) => _process = process;

    /// <summary>Runs a built .NET program that sits next to the tests: <c>dotnet exec NAME.dll args</c>.</summary>
    public static ChildProcess StartDll(string name, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("exec");
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, name + ".dll"));
        foreach (var a in arguments)
            info.ArgumentList.Add(a);
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ChildProcess(process);
        process.OutputDataReceived += (_, e) => child.Add(e.Data);
        process.ErrorDataReceived += (_, e) => child.Add(e.Data);
        process.Exited += (_, _) => child.Add(null);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    public int Id => _process.Id;

    public string Output
    {
        get
        {
            lock (_lines)
                return string.Join('\n', _lines);
        }
    }

    public List<string> Lines(Func<string, bool> match)
    {
        lock (_lines)
            return _lines.Where(match).ToList();
    }

    private void Add(string? line)
    {
        TaskCompletionSource changed;
        lock (_lines)
        {
            if (line is not null)
                _lines.Add(line);
            changed = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        changed.TrySetResult();
    }

    /// <summary>Waits until <paramref name="count"/> lines match, failing with the output on exit or timeout.</summary>
    public async Task<List<string>> WaitForLinesAsync(Func<string, bool> match, int count, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            Task changed;
            lock (_lines)
            {
                var found = _lines.Where(match).ToList();
                if (found.Count >= count)
                    return found;
                changed = _changed.Task;
            }
            if (_process.HasExited)
                Assert.Fail($"The process exited ({_process.ExitCode}) before {what}. Its output:\n{Output}");
            var left = timeout - clock.Elapsed;
            if (left <= TimeSpan.Zero || !await changed.WaitAsync(left).ContinueWith(t => t.IsCompletedSuccessfully))
                Assert.Fail($"Timed out after {timeout.TotalSeconds} s waiting for {what}. Output so far:\n{Output}");
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"The process did not exit within {timeout.TotalSeconds} s. Its output:\n{Output}");
        }
        return _process.ExitCode;
    }

    public void Signal(string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, _process.Id.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }
}
