using Microsoft.Extensions.DependencyInjection;

namespace MigrationPortal.Application.Optimization;

public static class OptimizationRegistration
{
    /// <summary>
    /// The recommendation use cases and what they share. <see cref="IConsolidationSolver"/> (CP-SAT) is the infrastructure's
    /// and registered there; <see cref="PlanConsolidation"/> holds no state, so it is a singleton beside it.
    /// </summary>
    public static IServiceCollection AddOptimizationUseCases(this IServiceCollection services)
    {
        services.AddOptions<OptimizationOptions>().BindConfiguration(OptimizationOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.IsValid, "Optimization:Lookback must be 5 minutes to 30 days and SolverTimeLimit above zero and at most 30 seconds.").ValidateOnStart();
        return services
            .AddSingleton<PlanConsolidation>()
            .AddScoped<RecommendationSchedule>()
            .AddScoped<RecommendationPlanner>()
            .AddScoped<ListOptimizationGroups>()
            .AddScoped<RecommendBalance>()
            .AddScoped<RecommendConsolidation>()
            .AddScoped<AcceptRecommendation>();
    }
}
