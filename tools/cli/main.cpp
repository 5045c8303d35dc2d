#include "tools/cli/cli.h"

int main(int argc, char** argv) { return gilsim::run_cli(argc, argv); }
