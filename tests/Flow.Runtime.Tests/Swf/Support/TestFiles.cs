using System.Runtime.CompilerServices;

namespace Flow.Runtime.Tests.Swf.Support;

/// <summary>Finds data files next to the test sources and the shared folder beside the repository.</summary>
internal static class TestFiles
{
    /// <summary>The folder of this test area's sources (tests/Flow.Runtime.Tests/Swf).</summary>
    public static string SwfTestsFolder() => Path.GetDirectoryName(Path.GetDirectoryName(ThisFile()))!;

    private static string ThisFile([CallerFilePath] string path = "") => path;

    /// <summary>
    /// The real SWF histories in shared/histories. The shared folder sits beside the repository
    /// (CI, the main checkout) or higher up (a worktree); FLOW_SHARED_DIR overrides the search.
    /// </summary>
    public static string HistoriesFolder()
    {
        if (Environment.GetEnvironmentVariable("FLOW_SHARED_DIR") is { Length: > 0 } shared)
            return Path.Combine(shared, "histories");
        for (var dir = new DirectoryInfo(SwfTestsFolder()); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "histories");
            if (Directory.Exists(candidate))
                return candidate;
        }
        throw new DirectoryNotFoundException(
            "shared/histories was not found beside the repository or above it; set FLOW_SHARED_DIR to the shared folder.");
    }
}
