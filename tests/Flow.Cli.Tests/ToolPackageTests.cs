using System.Diagnostics;
using Flow.Tests;

namespace Flow.Cli.Tests;

/// <summary>Flow.Cli as users get it: packed as a dotnet tool, installed from a folder feed with
/// <c>dotnet tool install</c>, and run as the <c>flow</c> command.</summary>
[TestFixture]
public sealed class ToolPackageTests
{
    [Test]
    public async Task The_packed_tool_installs_as_flow_and_serves_boto3()
    {
        var root = Directory.CreateTempSubdirectory("flow-tool-");
        try
        {
            // A version no cache can hold. The build goes to a private artifacts folder: the repository's bin and obj
            // folders are what tests running beside this one load and build from.
            string version = $"0.0.0-tool{DateTime.UtcNow:yyyyMMddHHmmss}{Environment.ProcessId}";
            string feed = Directory.CreateDirectory(Path.Combine(root.FullName, "feed")).FullName;
            string tools = Path.Combine(root.FullName, "tools");
            await RunAsync("dotnet", ["pack", TestRepository.File("src", "Flow.Cli", "Flow.Cli.csproj"), "-c", "Release",
                "--artifacts-path", Path.Combine(root.FullName, "artifacts"), "-o", feed, $"-p:PackageVersion={version}"], root.FullName);
            string config = Path.Combine(root.FullName, "nuget.config");
            await File.WriteAllTextAsync(config, $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources><clear /><add key="feed" value="{feed}" /></packageSources>
                </configuration>
                """);
            await RunAsync("dotnet", ["tool", "install", "Flow.Cli", "--tool-path", tools, "--version", version, "--configfile", config], root.FullName);
            string flow = Path.Combine(tools, "flow");
            Assert.That(File.Exists(flow), "the tool's command is named flow");

            await using var server = await DevServer.StartCommandAsync(flow, "--memory", "--long-poll-seconds", "1");
            Assert.That(server.Url.Host, Is.EqualTo("127.0.0.1"));
            var run = await Tools.PythonAsync(Boto3Tests.Lifecycle, null, server.Endpoint, "installed-tool");
            Assert.That(run.Json().GetProperty("closeStatus").GetString(), Is.EqualTo("COMPLETED"));
            Assert.That(await server.TerminateAsync(TimeSpan.FromSeconds(20)), Is.Zero, server.StandardError);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    private static async Task RunAsync(string file, string[] args, string workingDirectory)
    {
        var info = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args)
            info.ArgumentList.Add(a);
        // The outer `dotnet test` sets MSBuild variables that would leak into the child's build.
        foreach (string key in (string[])["MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "DOTNET_HOST_PATH"])
            info.Environment.Remove(key);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{file} did not start");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        // A guard against a hung build, not a time limit: a fresh build shares two cores with the other test projects
        // (here a pack of Flow.Cli took 5.5 min on a loaded machine).
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await process.WaitForExitAsync(timeout.Token);
        Assert.That(process.ExitCode, Is.Zero, $"{file} {string.Join(' ', args)}:\n{await stdout}{await stderr}");
    }
}
