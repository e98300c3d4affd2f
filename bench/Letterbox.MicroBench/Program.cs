using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Letterbox.MicroBench -- --filter '*'
// (or --filter '*Parse*', '*Fetch*', '*Search*'; add --job short for a quick look)
BenchmarkSwitcher.FromAssembly(typeof(Letterbox.MicroBench.CommandParsing).Assembly).Run(args);
