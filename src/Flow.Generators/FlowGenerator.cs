using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Flow.Generators;

/// <summary>Names of the pipeline's steps, for caching tests.</summary>
public static class TrackingNames
{
    public const string Activities = nameof(Activities);
    public const string Workflows = nameof(Workflows);
    public const string UserContexts = nameof(UserContexts);
    public const string AssemblyName = nameof(AssemblyName);
    public const string JsonMetadata = nameof(JsonMetadata);
}

/// <summary>Contracts ([Activities], [Workflow] interfaces) → typed clients, dispatch tables and JSON metadata.</summary>
[Generator(LanguageNames.CSharp)]
public sealed class FlowGenerator : IIncrementalGenerator
{
    private static readonly DiagnosticDescriptor s_noJsonMetadata = new(
        id: "FLOW100",
        title: "Payload type has no JSON metadata",
        messageFormat: "Type '{0}' used by '{1}' has no JSON metadata: {2}. Declare it with [JsonSerializable] in a JsonSerializerContext and add [assembly: Flow.FlowJsonContext(typeof(ThatContext))].",
        category: "Flow",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var activities = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                ContractParser.ActivitiesAttribute,
                static (node, _) => node is InterfaceDeclarationSyntax,
                static (ctx, ct) => ContractParser.Parse(ctx, ContractKind.Activities, ct))
            .Where(static m => m is not null)
            .Select(static (m, _) => m!)
            .WithTrackingName(TrackingNames.Activities);

        var workflows = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                ContractParser.WorkflowAttribute,
                static (node, _) => node is InterfaceDeclarationSyntax,
                static (ctx, ct) => ContractParser.Parse(ctx, ContractKind.Workflow, ct))
            // Without a usable [Execute] there is no workflow to generate; FLOW005, FLOW006 or FLOW017 says why.
            .Where(static m => m is not null && m.WorkflowName is not null && m.Members.Any(static x => x.Kind == MemberKind.Execute))
            .Select(static (m, _) => m!)
            .WithTrackingName(TrackingNames.Workflows);

        var userContexts = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                ContractParser.FlowJsonContextAttribute,
                static (node, _) => node is CompilationUnitSyntax,
                static (ctx, ct) => ContractParser.ParseUserContexts(ctx, ct))
            .WithTrackingName(TrackingNames.UserContexts)
            .Collect();

        var assemblyName = context.CompilationProvider
            .Select(static (compilation, _) => compilation.AssemblyName ?? "Assembly")
            .WithTrackingName(TrackingNames.AssemblyName);

        context.RegisterSourceOutput(activities.Combine(assemblyName), static (spc, pair) => EmitContract(spc, pair.Left, pair.Right));
        context.RegisterSourceOutput(workflows.Combine(assemblyName), static (spc, pair) => EmitContract(spc, pair.Left, pair.Right));

        var metadata = activities.Select(static (m, _) => m.JsonTypes).Collect()
            .Combine(workflows.Select(static (m, _) => m.JsonTypes).Collect())
            .Combine(userContexts)
            .Combine(assemblyName)
            .Select(static (input, _) => BuildMetadata(input.Left.Left.Left, input.Left.Left.Right, input.Left.Right, input.Right))
            .WithTrackingName(TrackingNames.JsonMetadata);

        context.RegisterSourceOutput(metadata, static (spc, model) =>
        {
            if (model is null)
            {
                return;
            }

            foreach (var type in model.Types.Where(t => t.Kind == JsonTypeKind.Unsupported))
            {
                spc.ReportDiagnostic(Diagnostic.Create(s_noJsonMetadata, type.Location?.ToLocation(), type.Name, type.UsedBy, type.Reason));
            }

            spc.AddSource("Flow.JsonMetadata.g.cs", JsonEmitter.Emit(model));
        });
    }

    private static void EmitContract(SourceProductionContext context, ContractModel contract, string assemblyName)
        => context.AddSource(contract.HintName, ContractEmitter.Emit(contract, assemblyName));

    /// <summary>One entry per type across every contract; types a user context declares are left to it.</summary>
    private static JsonMetadataModel? BuildMetadata(
        ImmutableArray<EquatableArray<JsonTypeModel>> activities,
        ImmutableArray<EquatableArray<JsonTypeModel>> workflows,
        ImmutableArray<EquatableArray<UserContextModel>> userContexts,
        string assemblyName)
    {
        if (activities.IsEmpty && workflows.IsEmpty)
        {
            return null;
        }

        var contexts = userContexts.SelectMany(c => c).ToList();
        var declared = new HashSet<string>(contexts.SelectMany(c => c.Types));
        var types = new SortedDictionary<string, JsonTypeModel>(System.StringComparer.Ordinal);
        var unsupported = new List<JsonTypeModel>();
        foreach (var type in activities.Concat(workflows).SelectMany(t => t))
        {
            if (declared.Contains(type.Name))
            {
                types[type.Name] = new JsonTypeModel(type.Name, JsonTypeKind.External);
            }
            else if (type.Kind == JsonTypeKind.Unsupported)
            {
                unsupported.Add(type);
            }
            else
            {
                types[type.Name] = type;
            }
        }

        // Report each unsupported type once per contract member that uses it.
        var reported = unsupported
            .GroupBy(t => (t.Name, t.UsedBy))
            .Select(g => g.First())
            .Where(t => !types.ContainsKey(t.Name));
        return new JsonMetadataModel(
            assemblyName,
            types.Values.Concat(reported).ToEquatableArray(),
            contexts.Select(c => c.ContextType).Distinct().OrderBy(c => c, System.StringComparer.Ordinal).ToEquatableArray());
    }
}
