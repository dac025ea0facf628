using System.Diagnostics;
using System.Reflection;

namespace Flow.Packaging.Tests;

/// <summary>A user adds one package and gets the runtime and the generator: pack Flow.Runtime into a
/// folder feed, build a fresh console project that references only that package, and run it.</summary>
public class PackageConsumerTests
{
    private static readonly string RepoRoot = typeof(PackageConsumerTests).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value!;

    [Test]
    public async Task A_console_project_that_references_only_the_package_gets_generated_clients()
    {
        var root = Directory.CreateTempSubdirectory("flow-pack-");
        try
        {
            // A version no cache can hold, and a private package folder, so a stale package cannot make this pass.
            var version = $"0.0.0-pack{DateTime.UtcNow:yyyyMMddHHmmss}{Environment.ProcessId}";
            var feed = Directory.CreateDirectory(Path.Combine(root.FullName, "feed")).FullName;
            var packages = Path.Combine(root.FullName, "packages");
            var app = Directory.CreateDirectory(Path.Combine(root.FullName, "app")).FullName;

            // The build goes to a private artifacts folder: under its own version it must not overwrite the repository's
            // bin and obj, which tests running beside this one load and build from.
            await Run("dotnet", ["pack", Path.Combine(RepoRoot, "src/Flow.Runtime/Flow.Runtime.csproj"), "-c", "Release",
                "--artifacts-path", Path.Combine(root.FullName, "artifacts"), "-o", feed, $"-p:Version={version}"], RepoRoot);
            Assert.That(File.Exists(Path.Combine(feed, $"Flow.Runtime.{version}.nupkg")), "the package was not written");

            await File.WriteAllTextAsync(Path.Combine(app, "App.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                    <!-- As a library that ships docs would: generated public members must be documented. -->
                    <GenerateDocumentationFile>true</GenerateDocumentationFile>
                    <RestorePackagesPath>{packages}</RestorePackagesPath>
                    <RestoreAdditionalProjectFallbackFolders>{GlobalPackages()}</RestoreAdditionalProjectFallbackFolders>
                    <RestoreAdditionalProjectSources>{feed}</RestoreAdditionalProjectSources>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="Flow.Runtime" Version="{version}" />
                  </ItemGroup>
                </Project>
                """);
            // Keep the repository's build props and central package versions out of the consumer.
            await File.WriteAllTextAsync(Path.Combine(app, "Directory.Build.props"), "<Project />");
            await File.WriteAllTextAsync(Path.Combine(app, "Directory.Packages.props"), "<Project />");
            await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), """
                using Flow;

                var handlers = Contracts.GreeterDispatch.CreateHandlers(() => new Greeter());
                var handler = handlers.Single();
                var result = await handler.Invoke("[\"packaging\"]", null!);
                Console.WriteLine($"{handler.Definition.Name} {handler.Definition.Version} -> {result}");
                Console.WriteLine(typeof(Contracts.GreeterClient).Name);

                /// <summary>The contracts of this app.</summary>
                public static partial class Contracts
                {
                    /// <summary>Greets.</summary>
                    [Activities(Version = "2.0", TaskList = "greetings")]
                    public partial interface IGreeter
                    {
                        /// <summary>Greets <paramref name="name"/>.</summary>
                        Task<string> GreetAsync(string name, string greeting = "hello", params string[] extra);
                    }
                }

                sealed class Greeter : Contracts.IGreeter
                {
                    public Task<string> GreetAsync(string name, string greeting = "hello", params string[] extra) => Task.FromResult($"{greeting}, {name}");
                }
                """);

            var output = await Run("dotnet", ["run", "-c", "Release"], app);
            Assert.That(output, Does.Contain("Greeter.Greet 2.0 -> \"hello, packaging\""));
            Assert.That(output, Does.Contain("GreeterClient"));
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    private static string GlobalPackages() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES")
        ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    private static async Task<string> Run(string file, string[] args, string workingDirectory)
    {
        var psi = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        // The outer `dotnet test` sets MSBuild variables that would leak into the child build.
        foreach (var key in new[] { "MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "DOTNET_HOST_PATH" })
            psi.Environment.Remove(key);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        // A guard against a hung build, not a time limit: a fresh build shares two cores with the other test projects
        // (here a pack of Flow.Cli took 5.5 min on a loaded machine).
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await process.WaitForExitAsync(timeout.Token);
        var text = await stdout + await stderr;
        Assert.That(process.ExitCode, Is.Zero, $"{file} {string.Join(' ', args)} failed:\n{text}");
        return text;
    }
}
