# `cmake --install`: libperfplan, its headers, the CLI, the data (model catalog, hardware specs,
# launch schemas) under share/perfplan where the installed binaries look for it, a CMake package
# (find_package(perfplan) -> perfplan::perfplan) and, when built, the Python module.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS perfplan_api EXPORT perfplanTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
foreach(module common model hardware kerneldb predictor planner api)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${module}/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
endforeach()
install(DIRECTORY ${PROJECT_BINARY_DIR}/common/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS perfplan RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# The data: <prefix>/share/perfplan is where data_directory() looks beside an installed binary.
set(PERFPLAN_INSTALL_DATADIR ${CMAKE_INSTALL_DATADIR}/perfplan)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/model/catalog DESTINATION ${PERFPLAN_INSTALL_DATADIR}/model)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/hardware_specs DESTINATION ${PERFPLAN_INSTALL_DATADIR}
        PATTERN "README.md" EXCLUDE)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/launch/schemas DESTINATION ${PERFPLAN_INSTALL_DATADIR}/launch)

install(EXPORT perfplanTargets NAMESPACE perfplan:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/perfplan)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/perfplanConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/perfplanConfig.cmake
                              INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/perfplan)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/perfplanConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/perfplanConfig.cmake ${PROJECT_BINARY_DIR}/perfplanConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/perfplan)
