package ktp.sim.cli;

import java.util.List;
import ktp.cli.CommandProvider;

/** Adds the simulator's commands (sim, demo, bench) to ktp. */
public final class SimulatorCommands implements CommandProvider {
    @Override
    public List<Object> commands() {
        return List.of(new SimCommand(), new DemoCommand(), new BenchCommand(), new SoakCommand());
    }
}
