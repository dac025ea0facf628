using Microsoft.CodeAnalysis;

namespace Flow.Generators.Tests;

/// <summary>Compares generated sources with the expected files in Snapshots/. A missing or different file fails the
/// test; FLOW_ACCEPT_SNAPSHOTS=1 (re)writes them, and is the only way they are ever written. The generator's version
/// in the GeneratedCode attribute is written as &lt;version&gt;.</summary>
internal static class Snapshot
{
    private static string Directory() => Flow.Tests.TestRepository.File("tests", "Flow.Generators.Tests", "Snapshots");

    private static bool Accept => Environment.GetEnvironmentVariable("FLOW_ACCEPT_SNAPSHOTS") == "1";

    /// <summary>The GeneratedCode attribute carries the generator's version, which moves with every release; the
    /// expected files hold a placeholder instead, so they change only when the code does.</summary>
    public static readonly string VersionedAttribute = ContractEmitter.GeneratedCode;

    public const string NormalizedAttribute = "[global::System.CodeDom.Compiler.GeneratedCode(\"Flow.Generators\", \"<version>\")]";

    private static string Normalize(string text) => text.ReplaceLineEndings("\n").Replace(VersionedAttribute, NormalizedAttribute, StringComparison.Ordinal);

    public static void Verify(string name, GeneratorDriverRunResult result)
    {
        var directory = Directory();
        var generated = result.Results.SelectMany(r => r.GeneratedSources)
            .ToDictionary(s => Path.Combine(directory, $"{name}.{s.HintName}"), s => Normalize(s.SourceText.ToString()));
        var expected = System.IO.Directory.GetFiles(directory, $"{name}.*").ToHashSet();

        if (Accept)
        {
            foreach (var stale in expected.Except(generated.Keys))
            {
                File.Delete(stale);
            }

            foreach (var (path, text) in generated)
            {
                File.WriteAllText(path, text);
            }

            return;
        }

        Assert.Multiple(() =>
        {
            foreach (var (path, text) in generated)
            {
                Assert.That(File.Exists(path), Is.True, $"No expected file {Path.GetFileName(path)}; review the output and run with FLOW_ACCEPT_SNAPSHOTS=1 to write it.");
                if (File.Exists(path))
                {
                    Assert.That(text, Is.EqualTo(File.ReadAllText(path).ReplaceLineEndings("\n")), $"{Path.GetFileName(path)} differs from the generated source.");
                }
            }

            Assert.That(expected.Except(generated.Keys).Select(Path.GetFileName), Is.Empty, "Expected files that the generator no longer produces.");
        });
    }
}
