using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Flow.Generators.Analyzers;

/// <summary>The names of what the generator emits for a contract, and the names that would collide with them
/// (FLOW030, FLOW031, FLOW032). Shared by the analyzer, which reports a collision, and the generator, which then
/// emits nothing for the contract rather than code that cannot compile.</summary>
internal static class GeneratedNames
{
    // object's members, which a generated member must not hide, and the members every generated class declares.
    private static readonly string[] s_objectMembers = ["Equals", "GetHashCode", "GetType", "ToString", "MemberwiseClone", "Finalize", "ReferenceEquals"];
    private static readonly string[] s_activityClientMembers = ["Options", "WithOptions"];
    private static readonly string[] s_activityDispatchMembers = ["Definitions", "CreateHandlers"];
    private static readonly string[] s_runMembers = ["GetStateAsync", "RequestCancelAsync", "TerminateAsync", "DescribeAsync", "GetResultAsync"];
    private static readonly string[] s_childClientMembers = ["Options", "WorkflowId", "_workflowId"];
    private const string OwnName = "the name of the class itself, which C# does not allow for a member";

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
        var client = baseName + "Client";
        var dispatch = baseName + "Dispatch";
        foreach (var method in methods)
        {
            var shortName = SwfRules.MethodBaseName(method);
            var same = methods.Where(m => m != method && SwfRules.MethodBaseName(m) == shortName).ToList();
            if (method == client)
                yield return new(method, $"{client}.{method}", OwnName);
            else if (shortName == dispatch)
                yield return new(method, $"{dispatch}.{shortName}", OwnName);
            else if (s_activityClientMembers.Contains(method) || s_objectMembers.Contains(method))
                yield return new(method, $"{client}.{method}", "a member the client has for every contract");
            else if (s_activityDispatchMembers.Contains(shortName) || s_objectMembers.Contains(shortName))
                yield return new(method, $"{dispatch}.{shortName}", "a member the dispatch table has for every contract");
            else if (same.Count > 0)
                yield return new(method, $"{dispatch}.{shortName}", "as does " + string.Join(" and ", same.Select(m => $"'{m}'")));
        }
    }

    /// <summary>Every workflow member is a member of NameChildClient; a signal is also NameRun.{Signal}Async.</summary>
    public static IEnumerable<Collision> Workflow(string baseName, IReadOnlyList<string> members, IReadOnlyList<string> signals)
    {
        var childClient = baseName + "ChildClient";
        foreach (var member in members)
        {
            if (member == childClient)
                yield return new(member, $"{childClient}.{member}", OwnName);
            else if (s_childClientMembers.Contains(member) || s_objectMembers.Contains(member))
                yield return new(member, $"{childClient}.{member}", "a member the child client has for every workflow");
        }

        // NameRun.{Signal}Async ends in Async, so it is never the class's own name (NameRun).
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

    /// <summary>A generated type whose name is taken where it would be declared: by the type that contains the
    /// contract (CS0542), by a member of that type (CS0102), or by a type beside the contract that is not a partial
    /// class the generated part could join (CS0260, CS0261). Another contract's generated types are FLOW031's.</summary>
    public static IEnumerable<Collision> TakenTypeNames(INamedTypeSymbol contract, bool workflow, CancellationToken cancellationToken)
    {
        var outer = contract.ContainingType;
        foreach (var name in TypeNames(SwfRules.ContractBaseName(contract.Name), workflow))
        {
            if (outer is not null && outer.Name == name)
            {
                yield return new(contract.Name, name, $"the name of the type '{name}' that contains the contract, which C# does not allow for a member");
                continue;
            }

            var taken = (outer is not null ? outer.GetMembers(name) : contract.ContainingNamespace.GetMembers(name).Cast<ISymbol>())
                .FirstOrDefault(m => !m.IsImplicitlyDeclared && !CanJoin(m, cancellationToken));
            if (taken is not null)
            {
                var what = taken is INamedTypeSymbol ? "a type that is not a partial class" : $"a {taken.Kind.ToString().ToLowerInvariant()}";
                yield return new(contract.Name, name, $"already the name of {what} declared there");
            }
        }
    }

    /// <summary>Whether the generated partial class can be part of <paramref name="existing"/>: a partial class
    /// (not a record) in every declaration outside Flow's own generated files, and not generic (another name).</summary>
    private static bool CanJoin(ISymbol existing, CancellationToken cancellationToken)
    {
        if (existing is not INamedTypeSymbol type)
            return false;
        if (type.Arity > 0)
            return true;
        foreach (var reference in type.DeclaringSyntaxReferences)
        {
            if (reference.SyntaxTree.FilePath.EndsWith(".Flow.g.cs", System.StringComparison.OrdinalIgnoreCase))
                continue;
            if (reference.GetSyntax(cancellationToken) is not ClassDeclarationSyntax declaration
                || !declaration.Modifiers.Any(m => m.IsKind(SyntaxKind.PartialKeyword)))
                return false;
        }
        return true;
    }
}
