using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Execution.Itinerary.Conversion;

/// <summary>The conversion roles of a step's connectors, and the source VM as described once per run.</summary>
internal static class ConversionAccess
{
    public static IConversionSource Source(this StepContext context) => SourceOf(context.Connector, context.Plan);

    public static IConversionDestination Target(this StepContext context) => DestinationOf(context.DestinationConnector, context.Plan);

    public static IConversionSource SourceOf(IHypervisorConnector connector, MigrationPlan plan) =>
        connector as IConversionSource
        ?? throw new ConnectorException("NotSupported", $"Connection '{plan.Source.Name}' ({plan.Source.Kind}) cannot be the source of a conversion.");

    public static IConversionDestination DestinationOf(IHypervisorConnector connector, MigrationPlan plan) =>
        connector as IConversionDestination
        ?? throw new ConnectorException("NotSupported", $"Connection '{plan.Destination.Name}' ({plan.Destination.Kind}) cannot receive a conversion.");

    public static ConversionSettings Settings(this StepContext context) =>
        context.Plan.Conversion ?? throw new InvalidOperationException("A conversion step ran for a request without conversion settings.");

    /// <summary>The source VM as the hypervisor describes it; read once per run (describing touches nothing, so a resumed run reads it again).</summary>
    public static async Task<ConvertibleVm> DescribeAsync(this StepContext context) =>
        context.Conversion.Vm ??= await context.Source().DescribeForConversionAsync(context.Plan, context.Cancellation);

    public static async Task<T?> DataAsync<T>(this StepContext context, string step) =>
        RunJournal.StepData<T>(await context.Journal.ReloadAsync(context.Cancellation), step);
}
