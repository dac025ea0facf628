using System.Diagnostics;
using System.Text.Json;

namespace Flow.Cli.Tests;

/// <summary>Runs the real AWS clients installed here (python3 with boto3/botocore, the aws CLI) with
/// dummy credentials; every call names its endpoint explicitly.</summary>
internal static class Tools
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public JsonElement Json()
        {
            Assert.That(ExitCode, Is.Zero, $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}");
            using var doc = JsonDocument.Parse(Stdout.Length == 0 ? "{}" : Stdout);
            return doc.RootElement.Clone();
        }
    }

    public static Task<Result> PythonAsync(string script, IDictionary<string, string>? env = null, params string[] args)
        => RunAsync("python3", ["-c", script, .. args], env);

    public static Task<Result> AwsAsync(string endpoint, IDictionary<string, string>? env, params string[] args)
        => RunAsync("aws", [.. args, "--endpoint-url", endpoint, "--output", "json"], env);

    public static async Task<Result> RunAsync(string file, IEnumerable<string> args, IDictionary<string, string>? env = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in args)
            info.ArgumentList.Add(a);
        info.Environment["AWS_ACCESS_KEY_ID"] = "x";
        info.Environment["AWS_SECRET_ACCESS_KEY"] = "x";
        info.Environment["AWS_DEFAULT_REGION"] = "us-east-1";
        info.Environment["AWS_CONFIG_FILE"] = "/dev/null";
        info.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null";
        info.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        info.Environment.Remove("AWS_PROFILE");
        info.Environment.Remove("AWS_SESSION_TOKEN");
        if (env is not null)
            foreach (var (k, v) in env)
                info.Environment[k] = v;
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{file} did not start");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
