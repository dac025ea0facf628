using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Flow.Generators.Analyzers;

/// <summary>Checks that [Activities] and [Workflow] contracts have a shape the generator can implement:
/// partial interfaces whose methods map one to one onto SWF types and signals.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ContractShapeAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        FlowDiagnostics.ContractNotPartial,
        FlowDiagnostics.ContractNotInterface,
        FlowDiagnostics.ContractIsGeneric,
        FlowDiagnostics.ContractKindsMixed,
        FlowDiagnostics.WorkflowWithoutExecute,
        FlowDiagnostics.WorkflowWithSeveralExecute,
        FlowDiagnostics.AttributeOutsideContract,
        FlowDiagnostics.SeveralGetState,
        FlowDiagnostics.GetStateShape,
        FlowDiagnostics.WorkflowMemberWithoutRole,
        FlowDiagnostics.ConflictingRoles,
        FlowDiagnostics.UnsupportedMember,
        FlowDiagnostics.OverloadedMethod,
        FlowDiagnostics.ByRefOrPointerParameter,
        FlowDiagnostics.GenericMethod,
        FlowDiagnostics.UnserializableType,
        FlowDiagnostics.TaskReturnRequired,
        FlowDiagnostics.SignalReturnType,
        FlowDiagnostics.CancellationTokenNotLast,
        FlowDiagnostics.CancellationTokenInWorkflow,
        FlowDiagnostics.InheritedMembers,
        FlowDiagnostics.GeneratedMemberCollision,
        FlowDiagnostics.GeneratedTypeCollision,
        FlowDiagnostics.GeneratedTypeNameTaken);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            if (FlowSymbols.Create(start.Compilation) is not { } symbols)
                return;
            start.RegisterSymbolAction(c => AnalyzeType(c, symbols), SymbolKind.NamedType);
            start.RegisterSymbolAction(c => AnalyzeMemberAttributes(c, symbols), SymbolKind.Method, SymbolKind.Property);
        });
    }

    private static void AnalyzeType(SymbolAnalysisContext context, FlowSymbols symbols)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        var activities = symbols.Has(type, symbols.Activities);
        var workflow = symbols.Has(type, symbols.Workflow);
        if (!activities && !workflow)
            return;
        var location = type.Locations.FirstOrDefault() ?? Location.None;

        if (type.TypeKind != TypeKind.Interface)
        {
            context.ReportDiagnostic(Diagnostic.Create(FlowDiagnostics.ContractNotInterface, location,
                activities ? "Activities" : "Workflow", type.Name));
            return;
        }
        if (activities && workflow)
        {
            context.ReportDiagnostic(Diagnostic.Create(FlowDiagnostics.ContractKindsMixed, location, type.Name));
            return;
        }
        CheckPartial(context, type, location);
        if (type.IsGenericType)
        {
            var generic = type.TypeParameters.IsEmpty ? ContainingGeneric(type) : null;
            context.ReportDiagnostic(Diagnostic.Create(FlowDiagnostics.ContractIsGeneric, location, type.Name,
                generic is null ? "" : $" (through its containing type '{generic.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)}')"));
        }
        foreach (var inherited in type.AllInterfaces)
        {
            // Marker interfaces are harmless; members (static abstract ones too) would be left unimplemented by the
            // generated clients.
            if (inherited.GetMembers().Any(m => m.IsAbstract))
                context.ReportDiagnostic(Diagnostic.Create(FlowDiagnostics.InheritedMembers, location, type.Name, inherited.Name));
        }
        CheckGeneratedTypeNames(context, symbols, type, workflow, location);

        var methods = new List<IMethodSymbol>();
        var executes = new List<ISymbol>();
        var states = new List<ISymbol>();
        foreach (var member in type.GetMembers())
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            if (member.IsImplicitlyDeclared || GeneratedCode.IsGenerated(member, context.Options, context.CancellationToken))
                continue;
            switch (member)
            {
                case IMethodSymbol method:
                    if (method.AssociatedSymbol is not null)
                        break; // accessors belong to their property or event
                    if (!IsContractMember(context, method, method.MethodKind == MethodKind.Ordinary ? null : "is not an ordinary method"))
                        break;
                    methods.Add(method);
                    if (activities)
                        CheckActivity(context, symbols, method);
                    else
                        CheckWorkflowMethod(context, symbols, type, method, executes, states);
                    break;
                case IPropertySymbol property:
                    if (workflow && symbols.Has(property, symbols.GetState))
                    {
                        if (!IsContractMember(context, property, null))
                            break;
                        states.Add(property);
                        CheckStateProperty(context, symbols, property);
                    }
                    else
                    {
                        Report(context, FlowDiagnostics.UnsupportedMember, property,
                            property.Name, workflow ? "is a property without [GetState]" : "is a property");
                    }
                    break;
                case IEventSymbol evt:
                    Report(context, FlowDiagnostics.UnsupportedMember, evt, evt.Name, "is an event");
                    break;
                case IFieldSymbol { IsConst: false } field:
                    Report(context, FlowDiagnostics.UnsupportedMember, field, field.Name, "is a field");
                    break;
            }
        }

        foreach (var group in methods.GroupBy(m => m.Name).Where(g => g.Count() > 1))
        {
            foreach (var method in group)
                Report(context, FlowDiagnostics.OverloadedMethod, method, type.Name, group.Count(), method.Name);
        }
        var distinct = methods.GroupBy(m => m.Name).Where(g => g.Count() == 1).Select(g => g.Single()).ToList();
        if (activities)
            CheckActivityMemberNames(context, type, distinct);
        else
            CheckWorkflowMemberNames(context, symbols, type, distinct, states);

        if (workflow)
        {
            if (executes.Count == 0)
                context.ReportDiagnostic(Diagnostic.Create(FlowDiagnostics.WorkflowWithoutExecute, location, type.Name));
            if (executes.Count > 1)
            {
                foreach (var execute in executes)
                    Report(context, FlowDiagnostics.WorkflowWithSeveralExecute, execute, type.Name, executes.Count);
            }
            if (states.Count > 1)
            {
                foreach (var state in states)
                    Report(context, FlowDiagnostics.SeveralGetState, state, type.Name, states.Count);
            }
        }
    }

    private static void CheckActivityMemberNames(SymbolAnalysisContext context, INamedTypeSymbol type, List<IMethodSymbol> methods)
    {
        var byName = methods.ToDictionary(m => m.Name);
        foreach (var collision in GeneratedNames.Activities(SwfRules.ContractBaseName(type.Name), methods.Select(m => m.Name).ToList()))
            Report(context, FlowDiagnostics.GeneratedMemberCollision, byName[collision.Member], collision.Member, collision.Generated, collision.Clash);
    }

    private static void CheckWorkflowMemberNames(SymbolAnalysisContext context, FlowSymbols symbols, INamedTypeSymbol type,
        List<IMethodSymbol> methods, List<ISymbol> states)
    {
        var members = methods.Where(m => symbols.Has(m, symbols.Execute) || symbols.Has(m, symbols.Signal) || symbols.Has(m, symbols.GetState))
            .Concat(states.OfType<IPropertySymbol>().Cast<ISymbol>())
            .GroupBy(m => m.Name).Select(g => g.First())
            .ToDictionary(m => m.Name);
        var signals = methods.Where(m => symbols.Has(m, symbols.Signal) && !symbols.Has(m, symbols.Execute) && !symbols.Has(m, symbols.GetState))
            .Select(m => m.Name).ToList();
        foreach (var collision in GeneratedNames.Workflow(SwfRules.ContractBaseName(type.Name), members.Keys.ToList(), signals))
            Report(context, FlowDiagnostics.GeneratedMemberCollision, members[collision.Member], collision.Member, collision.Generated, collision.Clash);
    }

    /// <summary>Two contracts in one namespace (or type) must not generate a type of the same name, and no other
    /// declaration there may hold a generated type's name.</summary>
    private static void CheckGeneratedTypeNames(SymbolAnalysisContext context, FlowSymbols symbols, INamedTypeSymbol type, bool workflow, Location location)
    {
        foreach (var taken in GeneratedNames.TakenTypeNames(type, workflow, context.CancellationToken))
            context.ReportDiagnostic(Diagnostic.Create(FlowDiagnostics.GeneratedTypeNameTaken, location, type.Name, taken.Generated, taken.Clash));
        var mine = GeneratedNames.TypeNames(SwfRules.ContractBaseName(type.Name), workflow);
        var siblings = type.ContainingType is { } outer ? outer.GetTypeMembers() : type.ContainingNamespace.GetTypeMembers();
        foreach (var sibling in siblings)
        {
            if (SymbolEqualityComparer.Default.Equals(sibling, type) || sibling.TypeKind != TypeKind.Interface)
                continue;
            var siblingIsWorkflow = symbols.Has(sibling, symbols.Workflow);
            if (!siblingIsWorkflow && !symbols.Has(sibling, symbols.Activities))
                continue;
            var shared = mine.Intersect(GeneratedNames.TypeNames(SwfRules.ContractBaseName(sibling.Name), siblingIsWorkflow), System.StringComparer.Ordinal).ToList();
            if (shared.Count > 0)
                context.ReportDiagnostic(Diagnostic.Create(FlowDiagnostics.GeneratedTypeCollision, location, type.Name, sibling.Name, string.Join("', '", shared)));
        }
    }

    private static INamedTypeSymbol? ContainingGeneric(INamedTypeSymbol type)
    {
        for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            if (!outer.TypeParameters.IsEmpty)
                return outer;
        }
        return null;
    }

    /// <summary>Contract members are abstract instance members; anything else is reported and skipped.</summary>
    private static bool IsContractMember(SymbolAnalysisContext context, ISymbol member, string? problem)
    {
        problem ??= member.IsStatic ? "is static" : !member.IsAbstract ? "has a default implementation" : null;
        if (problem is null)
            return true;
        Report(context, FlowDiagnostics.UnsupportedMember, member, member.Name, problem);
        return false;
    }

    private static void CheckPartial(SymbolAnalysisContext context, INamedTypeSymbol type, Location location)
    {
        if (!IsPartial(type, context.CancellationToken))
        {
            context.ReportDiagnostic(Diagnostic.Create(FlowDiagnostics.ContractNotPartial, location, type.Name, ""));
            return;
        }
        for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            if (!IsPartial(outer, context.CancellationToken))
            {
                context.ReportDiagnostic(Diagnostic.Create(FlowDiagnostics.ContractNotPartial, location, type.Name,
                    $", and so must its containing type '{outer.Name}'"));
                return;
            }
        }
    }

    private static bool IsPartial(INamedTypeSymbol type, CancellationToken cancellationToken) =>
        type.DeclaringSyntaxReferences.Any(r =>
            r.GetSyntax(cancellationToken) is TypeDeclarationSyntax declaration
            && declaration.Modifiers.Any(m => m.IsKind(SyntaxKind.PartialKeyword)));

    private static void CheckActivity(SymbolAnalysisContext context, FlowSymbols symbols, IMethodSymbol method)
    {
        CheckSignature(context, symbols, method, cancellationTokenAllowed: true);
        CheckTaskReturn(context, symbols, method, "Activity");
    }

    private static void CheckWorkflowMethod(SymbolAnalysisContext context, FlowSymbols symbols, INamedTypeSymbol type,
        IMethodSymbol method, List<ISymbol> executes, List<ISymbol> states)
    {
        var execute = symbols.Has(method, symbols.Execute);
        var signal = symbols.Has(method, symbols.Signal);
        var state = symbols.Has(method, symbols.GetState);
        var roles = (execute ? 1 : 0) + (signal ? 1 : 0) + (state ? 1 : 0);
        if (roles == 0)
        {
            Report(context, FlowDiagnostics.WorkflowMemberWithoutRole, method, method.Name, type.Name);
            return;
        }
        if (roles > 1)
        {
            var names = new[] { execute ? "[Execute]" : null, signal ? "[Signal]" : null, state ? "[GetState]" : null };
            Report(context, FlowDiagnostics.ConflictingRoles, method, method.Name, string.Join(" and ", names.Where(n => n is not null)));
            if (execute)
                executes.Add(method); // FLOW011 is the whole story; "no [Execute]" would only add noise
            return;
        }

        if (execute)
        {
            executes.Add(method);
            CheckSignature(context, symbols, method, cancellationTokenAllowed: false);
            CheckTaskReturn(context, symbols, method, "[Execute] method");
        }
        else if (signal)
        {
            CheckSignature(context, symbols, method, cancellationTokenAllowed: false);
            if (!method.ReturnsVoid && !SymbolEqualityComparer.Default.Equals(method.ReturnType, symbols.Task))
                Report(context, FlowDiagnostics.SignalReturnType, method, method.Name, Display(method.ReturnType));
        }
        else
        {
            states.Add(method);
            if (method.IsGenericMethod)
                Report(context, FlowDiagnostics.GenericMethod, method, method.Name);
            var problem = method.Parameters.Length > 0 ? "takes parameters"
                : method.ReturnsVoid ? "returns nothing"
                : symbols.IsAwaitable(method.ReturnType) ? "returns a task, but state is read synchronously after each decision"
                : null;
            if (problem is not null)
                Report(context, FlowDiagnostics.GetStateShape, method, method.Name, problem);
            else
                CheckSerializable(context, method.ReturnType, method, $"[GetState] '{method.Name}'");
        }
    }

    private static void CheckStateProperty(SymbolAnalysisContext context, FlowSymbols symbols, IPropertySymbol property)
    {
        var problem = property.IsIndexer ? "is an indexer"
            : property.GetMethod is null ? "has no getter"
            : property.SetMethod is not null ? "has a setter, but Flow only reads the state"
            : symbols.IsAwaitable(property.Type) ? "is a task, but state is read synchronously after each decision"
            : null;
        if (problem is not null)
            Report(context, FlowDiagnostics.GetStateShape, property, property.Name, problem);
        else
            CheckSerializable(context, property.Type, property, $"[GetState] '{property.Name}'");
    }

    /// <summary>Rules shared by activity, [Execute] and [Signal] methods: no type parameters, parameters by value,
    /// serializable types, and a CancellationToken only as an activity's last parameter.</summary>
    private static void CheckSignature(SymbolAnalysisContext context, FlowSymbols symbols, IMethodSymbol method, bool cancellationTokenAllowed)
    {
        if (method.IsGenericMethod)
            Report(context, FlowDiagnostics.GenericMethod, method, method.Name);

        for (var i = 0; i < method.Parameters.Length; i++)
        {
            var parameter = method.Parameters[i];
            var byRef = parameter.RefKind switch
            {
                RefKind.Ref => "passed by ref",
                RefKind.Out => "an out parameter",
                RefKind.In => "an in parameter",
                RefKind.None => null,
                _ => "passed by reference",
            };
            byRef ??= parameter.Type is IPointerTypeSymbol or IFunctionPointerTypeSymbol ? "a pointer" : null;
            if (byRef is not null)
            {
                Report(context, FlowDiagnostics.ByRefOrPointerParameter, parameter, parameter.Name, byRef);
                continue;
            }
            if (symbols.IsCancellationToken(parameter.Type))
            {
                if (!cancellationTokenAllowed)
                    Report(context, FlowDiagnostics.CancellationTokenInWorkflow, parameter, method.Name, parameter.Name);
                else if (i != method.Parameters.Length - 1)
                    Report(context, FlowDiagnostics.CancellationTokenNotLast, parameter, parameter.Name, method.Name);
                continue;
            }
            CheckSerializable(context, parameter.Type, parameter, $"Parameter '{parameter.Name}'");
        }
    }

    private static void CheckTaskReturn(SymbolAnalysisContext context, FlowSymbols symbols, IMethodSymbol method, string what)
    {
        if (!symbols.IsTask(method.ReturnType))
        {
            Report(context, FlowDiagnostics.TaskReturnRequired, method, what, method.Name, Display(method.ReturnType));
            return;
        }
        if (method.ReturnType is INamedTypeSymbol { TypeArguments.Length: 1 } task)
            CheckSerializable(context, task.TypeArguments[0], method, $"The result of '{method.Name}'");
    }

    private static void CheckSerializable(SymbolAnalysisContext context, ITypeSymbol type, ISymbol at, string what)
    {
        if (type is IPointerTypeSymbol or IFunctionPointerTypeSymbol || type.IsRefLikeType || type.TypeKind == TypeKind.Delegate)
            Report(context, FlowDiagnostics.UnserializableType, at, what, Display(type));
    }

    /// <summary>[Execute], [Signal], [GetState] and [Activity] outside the contract kind that gives them meaning.</summary>
    private static void AnalyzeMemberAttributes(SymbolAnalysisContext context, FlowSymbols symbols)
    {
        var member = context.Symbol;
        var container = member.ContainingType;
        if (container is null)
            return;
        var inWorkflow = symbols.Has(container, symbols.Workflow);
        var inActivities = symbols.Has(container, symbols.Activities);
        foreach (var attribute in member.GetAttributes())
        {
            var cls = attribute.AttributeClass;
            string? required = null;
            if (!inWorkflow && (Is(cls, symbols.Execute) || Is(cls, symbols.Signal) || Is(cls, symbols.GetState)))
                required = "Workflow";
            else if (!inActivities && Is(cls, symbols.Activity))
                required = "Activities";
            if (required is null)
                continue;
            var location = attribute.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken).GetLocation()
                ?? member.Locations.FirstOrDefault() ?? Location.None;
            context.ReportDiagnostic(Diagnostic.Create(FlowDiagnostics.AttributeOutsideContract, location,
                cls!.Name.Substring(0, cls.Name.Length - "Attribute".Length), required, member.Name));
        }
    }

    private static bool Is(INamedTypeSymbol? a, INamedTypeSymbol? b) => b is not null && SymbolEqualityComparer.Default.Equals(a, b);

    private static string Display(ITypeSymbol type) => type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);

    private static void Report(SymbolAnalysisContext context, DiagnosticDescriptor descriptor, ISymbol at, params object[] args) =>
        context.ReportDiagnostic(Diagnostic.Create(descriptor, at.Locations.FirstOrDefault() ?? Location.None, args));
}
