using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Admin;
using MigrationPortal.Application.Approvals;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Batches;
using MigrationPortal.Application.Execution;
using MigrationPortal.Application.Inventory;
using MigrationPortal.Application.Mappings;
using MigrationPortal.Application.Requests;
using MigrationPortal.Application.Optimization;
using MigrationPortal.Application.Rules;
using MigrationPortal.Application.Scheduling;

namespace MigrationPortal.Application;

public static class DependencyInjection
{
    /// <summary>Registers every use case as a plain scoped handler (no mediator: a class per use case is enough).</summary>
    public static IServiceCollection AddPortalUseCases(this IServiceCollection services)
    {
        services.AddOptions<ApprovalOptions>().BindConfiguration(ApprovalOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<Notifications.SmtpOptions>().BindConfiguration(Notifications.SmtpOptions.Section).ValidateOnStart();
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<Notifications.SmtpOptions>, Notifications.SmtpOptionsValidator>();
        services.TryAddSingleton<IRequestChangeNotifier, NoRequestChangeNotifier>();
        services.AddScoped<AccessGuard>();
        services.AddScoped<AccessTokens.CreateAccessToken>();
        services.AddScoped<AccessTokens.ListAccessTokens>();
        services.AddScoped<AccessTokens.RevokeAccessToken>();
        services.AddScoped<AccessTokens.AuthenticateAccessToken>();
        services.AddScoped<RequestActionRules>();
        services.AddScoped<MigrationPlanner>();
        services.AddScoped<SubmitRequest>();
        services.AddScoped<GetRequest>();
        services.AddScoped<ListRequests>();
        services.AddScoped<Notifications.GetBellNotifications>();
        services.AddScoped<CancelRequest>();
        services.AddScoped<MigrationPortal.Application.Inventory.SyncNow>();
        services.AddScoped<DecideRequest>();
        services.AddScoped<ApproveRequest>();
        services.AddScoped<ListApprovalCards>();
        services.AddScoped<RejectRequest>();
        services.AddScoped<ExpireStaleRequests>();
        services.AddScoped<QueryAudit>();
        services.AddScoped<ExportAudit>();
        services.AddScoped<VerifyAuditChain>();
        services.AddScoped<GetAuditAlerts>();
        services.AddScoped<ListVms>();
        services.AddScoped<SyncInventory>();
        services.AddOptions<Utilisation.UtilisationOptions>().BindConfiguration(Utilisation.UtilisationOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.IsValid, "Utilisation:IntervalMinutes must divide 60, RawRetention be at least an hour and HourlyRetention at least RawRetention.").ValidateOnStart();
        services.AddScoped<Utilisation.CollectUtilisation>();
        services.AddScoped<Utilisation.BackfillUtilisation>();
        services.AddScoped<Utilisation.ApplyUtilisationRetention>();
        services.AddScoped<Utilisation.GetUtilisationSeries>();
        services.AddOptions<Utilisation.PostMoveWatchOptions>().BindConfiguration(Utilisation.PostMoveWatchOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.IsValid, Utilisation.PostMoveWatchOptions.InvalidMessage).ValidateOnStart();
        services.AddScoped<Utilisation.StartPostMoveWatch>();
        services.AddScoped<Utilisation.EvaluatePostMoveWatches>();
        services.AddScoped<Requests.MoveBackAfterRegression>();
        services.AddOptions<SchedulingOptions>().BindConfiguration(SchedulingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<StartPlanner>();
        services.AddScoped<DurationEstimator>();
        services.AddScoped<CapacityLeases>();
        services.AddScoped<ListMaintenanceWindows>();
        services.AddScoped<SaveMaintenanceWindow>();
        services.AddScoped<DeleteMaintenanceWindow>();
        services.AddScoped<SaveBlackout>();
        services.AddScoped<DeleteBlackout>();
        services.AddScoped<GetConcurrencyLimits>();
        services.AddScoped<GetCalendar>();
        services.AddScoped<GetCalendarDays>();
        services.AddScoped<CreateCalendarFeed>();
        services.AddScoped<GetCalendarFeed>();
        services.AddScoped<SetConcurrencyLimits>();
        services.AddScoped<DispatchDueRequests>();
        services.AddOptions<ExecutionOptions>().BindConfiguration(ExecutionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<ExecutionOptions>, ExecutionOptionsValidator>();
        services.AddScoped<RunLeases>();
        services.AddScoped<MigrationPrechecks>();
        services.AddItinerary();
        services.AddScoped<RunMigration>();
        services.AddScoped<RecheckRequest>();
        services.AddScoped<ReconcileStaleMigrations>();
        services.AddScoped<SetApprovalRules>();
        services.AddScoped<SetApplicationOwners>();
        services.AddScoped<ApplicationOwners>();
        services.AddScoped<CreateApplication>();
        services.AddScoped<DeleteApplication>();
        services.AddScoped<ListOwnerChoices>();
        services.AddScoped<ListApplications>();
        services.AddScoped<ListApprovalRules>();
        services.AddScoped<ListConnections>();
        services.AddScoped<SaveConnection>();
        services.AddConversionMapUseCases();
        services.AddRuleUseCases();
        services.AddOptimizationUseCases();
        services.AddScoped<TestConnection>();
        services.AddScoped<ListUsers>();
        services.AddScoped<CreateLocalUser>();
        services.AddScoped<SetUserAccess>();
        services.AddScoped<ResetLocalPassword>();
        services.AddScoped<AssignVmApplication>();
        services.AddScoped<GetVm>();
        services.AddScoped<ListTargets>();
        services.AddScoped<VmReferences>();
        services.AddScoped<ConversionChoices>();
        services.AddScoped<PreviewRequest>();
        services.AddScoped<CheckRequest>();
        services.AddScoped<Dashboard.GetDashboard>();
        services.AddScoped<SubmitBatch>();
        services.AddScoped<Waves.WaveReader>();
        services.AddScoped<Waves.WaveBatches>();
        services.AddScoped<Waves.ValidateWave>();
        services.AddScoped<Waves.DryRunWave>();
        services.AddScoped<Waves.SubmitWave>();
        services.AddScoped<Waves.ExportWaveResults>();
        services.AddScoped<DecideBatch>();
        services.AddScoped<GetBatch>();
        services.AddScoped<ListPlacements>();
        services.AddScoped<RetryRequest>();
        services.AddScoped<RollBackRequest>();
        services.AddScoped<Evacuation.ListHosts>();
        services.AddScoped<Inventory.ListDatastores>();
        services.AddScoped<Evacuation.ProposeEvacuation>();
        services.AddScoped<Evacuation.SubmitEvacuation>();
        services.AddScoped<Notifications.SendNotifications>();
        services.AddScoped<Notifications.RememberContact>();
        return services;
    }

    /// <summary>
    /// The itinerary's steps and the definitions that order them. A new itinerary (a conversion between kinds, say) is one
    /// more <see cref="Execution.Itinerary.ItineraryDefinition"/> and its new steps, registered here or by the module that brings them.
    /// </summary>
    public static IServiceCollection AddItinerary(this IServiceCollection services)
    {
        services.AddScoped<Execution.Itinerary.IItineraryStep, Execution.Itinerary.PrecheckStep>();
        services.AddScoped<Execution.Itinerary.IItineraryStep, Execution.Itinerary.SnapshotStep>();
        services.AddScoped<Execution.Itinerary.IItineraryStep, Execution.Itinerary.EnforceEncryptionStep>();
        services.AddScoped<Execution.Itinerary.IItineraryStep, Execution.Itinerary.TransferStep>();
        services.AddScoped<Execution.Itinerary.IItineraryStep, Execution.Itinerary.VerifyStep>();
        services.AddScoped<Execution.Itinerary.IItineraryStep, Execution.Itinerary.SnapshotCleanUpStep>();
        services.AddScoped<Execution.Itinerary.IItineraryStep, Execution.Itinerary.LeftoversCleanUpStep>();
        services.AddSingleton(Execution.Itinerary.ItineraryDefinition.WithinOneConnection);

        services.AddOptions<Execution.Itinerary.Conversion.ConversionOptions>().BindConfiguration(Execution.Itinerary.Conversion.ConversionOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<Execution.Itinerary.Conversion.ConversionPrechecks>();
        services.AddScoped<Execution.Itinerary.IItineraryStep, Execution.Itinerary.Conversion.ConfirmEncryptionStep>();
        services.AddScoped<Execution.Itinerary.IItineraryStep, Execution.Itinerary.Conversion.StorePowerStateStep>();
        services.AddScoped<Execution.Itinerary.IItineraryStep, Execution.Itinerary.Conversion.ShutDownStep>();
        services.AddScoped<Execution.Itinerary.IItineraryStep, Execution.Itinerary.Conversion.ExportStep>();
        services.AddScoped<Execution.Itinerary.IItineraryStep, Execution.Itinerary.Conversion.CopyDisksStep>();
        services.AddScoped<Execution.Itinerary.IItineraryStep, Execution.Itinerary.Conversion.ConvertGuestStep>();
        services.AddScoped<Execution.Itinerary.IItineraryStep, Execution.Itinerary.Conversion.DefineDomainStep>();
        services.AddScoped<Execution.Itinerary.IItineraryStep, Execution.Itinerary.Conversion.FirstBootStep>();
        services.AddScoped<Execution.Itinerary.IItineraryStep, Execution.Itinerary.Conversion.CommitOrRollBackStep>();
        services.AddSingleton(Execution.Itinerary.ItineraryDefinition.VmwareToKvm);
        services.AddScoped<Execution.Itinerary.ItineraryCatalog>();
        return services;
    }
}
