#include "cli/app.hpp"

int main(int argc, char** argv) {
    return blandhook::cli::run(argc, argv);
}
