using System.Collections.Generic;
using System.Linq;

namespace Flow.Generators.Analyzers;

/// <summary>The names of what the generator emits for a contract, and the contract member names that would
/// collide with them (FLOW030, FLOW031). Shared by the analyzer, which reports a collision, and the generator,
/// which then emits nothing for the contract rather than code that cannot compile.</summary>
internal static class GeneratedNames
{
    // object's members, which a generated member must not hide, and the members every generated class declares.
    private static readonly string[] s_objectMembers = ["Equals", "GetHashCode", "GetType", "ToString", "MemberwiseClone", "Finalize", "ReferenceEquals"];
    private static readonly string[] s_activityClientMembers = ["Options", "WithOptions"];
    private static readonly string[] s_activityDispatchMembers = ["Definitions", "CreateHandlers"];
    private static readonly string[] s_runMembers = ["GetStateAsync", "RequestCancelAsync", "TerminateAsync", "DescribeAsync", "GetResultAsync"];
    private static readonly string[] s_childClientMembers = ["Options", "WorkflowId"];

    /// <summary>A contract member whose generated counterpart collides: what it would become, and with what.</summary>
    public readonly struct Collision(string member, string generated, string clash)
    {
        public string Member { get; } = member;
        public string Generated { get; } = generated;
        public string Clash { get; } = clash;
    }

    public static IEnumerable<string> TypeNames(string baseName, bool workflow) => workflow
        ? [baseName + "Client", baseName + "Run", baseName + "ChildClient", baseName + "SelfClient", baseName + "Dispatch"]
        : [baseName + "Client", baseName + "Dispatch"];

    /// <summary>An activity method is a method of NameClient and, without its Async suffix, a property of NameDispatch.</summary>
    public static IEnumerable<Collision> Activities(string baseName, IReadOnlyList<string> methods)
    {
        foreach (var method in methods)
        {
            var shortName = SwfRules.MethodBaseName(method);
            var same = methods.Where(m => m != method && SwfRules.MethodBaseName(m) == shortName).ToList();
            if (s_activityClientMembers.Contains(method) || s_objectMembers.Contains(method))
                yield return new(method, $"{baseName}Client.{method}", "a member the client has for every contract");
            else if (s_activityDispatchMembers.Contains(shortName) || s_objectMembers.Contains(shortName))
                yield return new(method, $"{baseName}Dispatch.{shortName}", "a member the dispatch table has for every contract");
            else if (same.Count > 0)
                yield return new(method, $"{baseName}Dispatch.{shortName}", "as does " + string.Join(" and ", same.Select(m => $"'{m}'")));
        }
    }

    /// <summary>Every workflow member is a member of NameChildClient; a signal is also NameRun.{Signal}Async.</summary>
    public static IEnumerable<Collision> Workflow(string baseName, IReadOnlyList<string> members, IReadOnlyList<string> signals)
    {
        foreach (var member in members)
        {
            if (s_childClientMembers.Contains(member) || s_objectMembers.Contains(member))
                yield return new(member, $"{baseName}ChildClient.{member}", "a member the child client has for every workflow");
        }

        foreach (var signal in signals)
        {
            var sendName = SwfRules.MethodBaseName(signal) + "Async";
            var same = signals.Where(s => s != signal && SwfRules.MethodBaseName(s) + "Async" == sendName).ToList();
            if (s_runMembers.Contains(sendName))
                yield return new(signal, $"{baseName}Run.{sendName}", "a member the run handle has for every workflow");
            else if (same.Count > 0)
                yield return new(signal, $"{baseName}Run.{sendName}", "as does " + string.Join(" and ", same.Select(s => $"'{s}'")));
        }
    }
}
